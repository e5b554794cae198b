import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ApiClient, createApiClient } from "@cw/contracts/client";
import type { Event } from "@cw/contracts/types";
import {
  startTestStack,
  startWebhookReceiver,
  type TestStack,
  type WebhookReceiver,
  waitFor,
} from "@cw/testing/node";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCw, startCw } from "../src/testing.ts";

/**
 * The organization's own things through `cw` against the real control plane (a throw-away local
 * stack), run as a user runs it: API tokens, git credentials, webhooks (to a real receiver, its
 * signatures checked with `standardwebhooks`) and the audit log, listed and followed.
 */
let stack: TestStack;
let api: ApiClient;
let receiver: WebhookReceiver;
let tmp: string;
let home: string;
let cloneUrl: string;

const lines = (text: string) => text.split(/\r?\n/).filter((l) => l !== "");

async function cw(args: string[], opts: { input?: string; env?: Record<string, string> } = {}) {
  return runCw(home, args, opts);
}

/** `cw <args>`, which must succeed: its stdout. */
async function ok(args: string[], opts: { input?: string; env?: Record<string, string> } = {}) {
  const result = await cw(args, opts);
  expect(result.code, `cw ${args.join(" ")}: ${result.stderr}`).toBe(0);
  return result.stdout;
}

beforeAll(async () => {
  stack = await startTestStack("cw-org-");
  api = createApiClient({ baseUrl: stack.workerUrl, token: stack.token });
  receiver = await startWebhookReceiver();
  tmp = mkdtempSync(join(tmpdir(), "cw-org-home-"));
  home = join(tmp, "user");
  mkdirSync(home, { recursive: true, mode: 0o700 });
  await ok(["login", "--url", stack.workerUrl, "--token-stdin"], { input: `${stack.token}\n` });
  cloneUrl = (await api.listRepositories()).items[0]!.cloneUrl;
}, 180_000);

afterAll(async () => {
  await receiver?.close();
  await stack?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe("cw token", () => {
  it("creates a token that works at once (printed alone, once), lists it, and deletes it so it stops working", async () => {
    const created = await cw(["token", "create", "ci-bot"]);
    expect(created.code, created.stderr).toBe(0);
    const token = created.stdout.trim();
    expect(lines(created.stdout)).toEqual([token]);
    expect(created.stderr).toMatch(/created token "ci-bot".*not shown again/);

    const asBot = { env: { CW_TOKEN: token } };
    expect((await cw(["ls"], asBot)).code).toBe(0);
    const listed = JSON.parse(await ok(["token", "ls", "--json"])) as {
      id: string;
      name: string;
      prefix: string;
    }[];
    const bot = listed.find((t) => t.name === "ci-bot")!;
    expect(token.startsWith(bot.prefix)).toBe(true);
    const table = await ok(["token", "ls"]);
    expect(table).toContain("ci-bot");
    expect(table).not.toContain(token);

    expect(await ok(["token", "rm", bot.id])).toContain(`Deleted token ${bot.id}`);
    const refused = await cw(["ls"], asBot);
    expect(refused.code).toBe(1);
    expect(lines(refused.stderr)).toHaveLength(1);
    expect(refused.stderr).toMatch(/^cw: the API refused cw's token/);
  });

  it("says what is wrong with an expiry in one line", async () => {
    const bad = await cw(["token", "create", "x", "--expires-at", "soon"]);
    expect(bad.code).toBe(1);
    expect(lines(bad.stderr)).toHaveLength(1);
    expect(bad.stderr).toContain("expiresAt");
  });
});

describe("cw git-credential", () => {
  it("stores a secret read from stdin, lists only its last four characters, and deletes it", async () => {
    const secret = "ghp_cwtestsecret0000000000000000000abcd";
    const added = await ok(["git-credential", "add", "git.example.test", "bot", "--secret-stdin"], {
      input: `${secret}\n`,
    });
    expect(added).toContain("Stored a git credential for git.example.test as bot (yours");
    expect(added).not.toContain(secret);

    const table = await ok(["git-credential", "ls"]);
    expect(table).toMatch(/git\.example\.test\s+bot\s+user\s+…abcd/);
    expect(table).not.toContain(secret);
    const [listed] = JSON.parse(await ok(["git-credential", "ls", "--json"])) as {
      id: string;
      hint: string;
    }[];
    expect(listed).toMatchObject({ hint: "abcd" });
    expect(JSON.stringify(listed)).not.toContain(secret);

    await ok(["git-credential", "rm", listed!.id]);
    expect(await ok(["git-credential", "ls"])).toContain("No git credentials");
  });

  it("refuses a scope it does not know (usage, exit 2) and an empty secret, asking nothing when not on a terminal", async () => {
    const scope = await cw(
      ["git-credential", "add", "h.example", "u", "--scope", "world", "--secret-stdin"],
      {
        input: "x\n",
      },
    );
    expect(scope.code).toBe(2);
    expect(scope.stderr).toContain("--scope must be one of user, organization");
    const empty = await cw(["git-credential", "add", "h.example", "u", "--secret-stdin"], { input: "\n" });
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain("--secret-stdin: standard input was empty");
    const noTerminal = await cw(["git-credential", "add", "h.example", "u"]);
    expect(noTerminal.code).toBe(2);
    expect(noTerminal.stderr).toContain("pipe it in with --secret-stdin");
    expect(JSON.parse(await ok(["git-credential", "ls", "--json"]))).toEqual([]);
  });
});

describe("cw webhook", () => {
  it("adds an endpoint (its secret printed alone, once), tests it against a real receiver, shows the deliveries, removes it", async () => {
    const url = receiver.urlOf("cli");
    const added = await cw([
      "webhook",
      "add",
      url,
      "--events",
      "repository.created",
      "--description",
      "cli test",
    ]);
    expect(added.code, added.stderr).toBe(0);
    const secret = added.stdout.trim();
    expect(secret).toMatch(/^whsec_/);
    const id = /added webhook (\S+)/.exec(added.stderr)![1]!;
    expect(await ok(["webhook", "ls"])).toMatch(
      new RegExp(`${url}\\s+repository\\.created\\s+enabled\\s+cli test\\s+${id}`),
    );

    expect(await ok(["webhook", "test", id])).toContain(`cw webhook deliveries ${id}`);
    await ok(["repo", "add", "hooked", cloneUrl]);
    const requests = await waitFor("the test and the event delivered", async () => {
      const got = receiver.received("cli");
      return got.length >= 2 && got;
    });
    const bodies = requests.map((r) => new Webhook(secret).verify(r.body, r.headers) as { type: string });
    expect(bodies.map((b) => b.type).sort()).toEqual(["repository.created", "webhook.test"]);
    const deliveries = await waitFor("both deliveries recorded as delivered", async () => {
      const page = JSON.parse(await ok(["webhook", "deliveries", id, "--json"])) as {
        items: { status: string }[];
      };
      return page.items.length === 2 && page.items.every((d) => d.status === "delivered") && page;
    });
    expect(deliveries.items).toHaveLength(2);
    expect(await ok(["webhook", "deliveries", id])).toMatch(/repository\.created\s+delivered\s+1\s+204/);

    // Enabling an enabled endpoint changes nothing.
    expect(await ok(["webhook", "enable", id])).toContain(`Webhook ${id} to ${url} is enabled.`);
    await ok(["webhook", "rm", id]);
    expect(await ok(["webhook", "ls"])).toContain("No webhook endpoints");
  });

  it("passes the API's reason on in one line: an unknown event type, a delivery status, an id", async () => {
    const type = await cw(["webhook", "add", receiver.urlOf("x"), "--events", "workspace.exploded"]);
    expect(type.code).toBe(1);
    expect(lines(type.stderr)).toHaveLength(1);
    expect(type.stderr).toContain("unknown event type");
    const missing = await cw(["webhook", "enable", crypto.randomUUID()]);
    expect(missing.code).toBe(1);
    expect(lines(missing.stderr)).toHaveLength(1);
    const hook = await api.createWebhook({ url: receiver.urlOf("y"), events: ["*"] });
    const status = await cw(["webhook", "deliveries", hook.id, "--status", "lost"]);
    expect(status.code).toBe(1);
    expect(status.stderr).toContain("status");
    await api.deleteWebhook(hook.id);
  });
});

describe("cw events", () => {
  it("lists the audit log, filtered, with who did it; --json is the API's page", async () => {
    await ok(["repo", "add", "audited", cloneUrl]);
    const page = JSON.parse(await ok(["events", "--type", "repository.created", "--json"])) as {
      items: Event[];
      nextCursor: string;
    };
    const mine = page.items.find((e) => (e.data as { name: string }).name === "audited")!;
    expect(mine.actor).toMatchObject({ type: "user" });
    const table = await ok(["events", "--type", "repository.created"]);
    expect(table.split("\n")[0]).toMatch(/^TIME\s+TYPE\s+WORKSPACE\s+BY\s+WHAT$/);
    expect(table).toMatch(/repository\.created\s+-\s+you\s+.*name=audited/);
    expect(await ok(["events", "--type", "repository.created", "--after", page.nextCursor])).toContain(
      "No events.",
    );
    const one = await cw(["events", "--limit", "1", "--json"]);
    expect(one.code, one.stderr).toBe(0);
    const first = JSON.parse(one.stdout) as { items: Event[]; nextCursor: string };
    expect(first.items).toHaveLength(1);
    expect(one.stderr).toBe(`cw: more may follow: cw events --after ${first.nextCursor}\n`);
    const bad = await cw(["events", "--type", "workspace.exploded"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("type");
    const usage = await cw(["events", "--follow", "--limit", "5"]);
    expect(usage.code).toBe(2);
  });

  it("--follow prints events as they happen, from a cursor, one JSON line each, until interrupted", async () => {
    const { nextCursor } = await api.listEvents({ limit: 500 });
    const follow = startCw(home, [
      "events",
      "--follow",
      "--json",
      "--type",
      "repository.created",
      "--after",
      nextCursor,
    ]);
    try {
      await ok(["repo", "add", "followed-1", cloneUrl]);
      await ok(["repo", "add", "followed-2", cloneUrl]);
      const seen = await waitFor("both events followed", async () => {
        const events = lines(follow.output().stdout).map((l) => JSON.parse(l) as Event);
        return events.length >= 2 && events;
      });
      expect(seen.map((e) => [e.type, (e.data as { name: string }).name])).toEqual([
        ["repository.created", "followed-1"],
        ["repository.created", "followed-2"],
      ]);
    } finally {
      follow.child.kill("SIGINT");
    }
    const end = await follow.exited;
    expect(end.code === 0 || end.signal === "SIGINT" || end.code === 130).toBe(true);
  });
});
