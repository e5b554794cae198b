import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ApiError, createApiClient } from "@cw/contracts/client";
import { sampleWorkspace } from "@cw/contracts/test-support";
import type { Workspace } from "@cw/contracts/types";
import { afterAll, describe, expect, it, vi } from "vitest";
import { parseCommandArgs, UsageError } from "../src/args.ts";
import { commandSpecs } from "../src/commands/specs.ts";
import { connectHintsFile, loginFile } from "../src/config-dir.ts";
import { apiClientFor } from "../src/context.ts";
import { deleteWorkspace } from "../src/delete-workspace.ts";
import { startEarlyRequests, withEarlyAnswers } from "../src/entry/early-requests.ts";
import { CliError } from "../src/errors.ts";
import { httpFetch } from "../src/http-fetch.ts";
import { currentLogin } from "../src/login-store.ts";
import { untilRunning } from "../src/running-workspace.ts";
import { cwHostsBlock } from "../src/ssh-config/cw-hosts.ts";
import { renderDirectConfig } from "../src/ssh-config/direct-config.ts";
import {
  BLOCK_BEGIN,
  BLOCK_END,
  ManagedBlockError,
  withBlock,
  withoutBlock,
} from "../src/ssh-config/managed-block.ts";
import { hostFormOf, matchWorkspace, sshHostOf } from "../src/workspace-ref.ts";
import { connectCredentials } from "../src/workspace-session.ts";
import { workspaceRow } from "../src/workspace-table.ts";

const tmp = mkdtempSync(join(tmpdir(), "cw-units-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("cw's block in ~/.ssh/config", () => {
  const lines = ["Host cw-*", "  User cw", "Host *"];
  const original =
    "ServerAliveInterval 30\n\nHost github.com\n\tUser git   # tabs, comments\nHost é\n  Port 2\n";

  it("goes first, leaves every other byte alone, and comes out leaving the original exactly", () => {
    const written = withBlock(original, lines);
    expect(written).toBe(`${BLOCK_BEGIN}\nHost cw-*\n  User cw\nHost *\n${BLOCK_END}\n${original}`);
    expect(withBlock(written, lines)).toBe(written);
    expect(withoutBlock(written)).toBe(original);
    const noFinalNewline = "Host a\n  User b";
    expect(withoutBlock(withBlock(noFinalNewline, lines))).toBe(noFinalNewline);
    expect(withBlock("", lines)).toBe(`${BLOCK_BEGIN}\nHost cw-*\n  User cw\nHost *\n${BLOCK_END}\n`);
  });

  it("is replaced where it stands, in the file's own line endings", () => {
    const crlf = "Host a\r\n  User b\r\n";
    const written = withBlock(crlf, ["Host cw-*"]);
    expect(written).toBe(`${BLOCK_BEGIN}\r\nHost cw-*\r\n${BLOCK_END}\r\n${crlf}`);
    const moved = `Host a\n${BLOCK_BEGIN}\nold\n${BLOCK_END}\nHost b\n`;
    expect(withBlock(moved, ["new"])).toBe(`Host a\n${BLOCK_BEGIN}\nnew\n${BLOCK_END}\nHost b\n`);
    expect(withoutBlock(moved)).toBe("Host a\nHost b\n");
    expect(withoutBlock(original)).toBe(original);
  });

  it("refuses a broken block rather than guess where it ends", () => {
    for (const broken of [
      `${BLOCK_BEGIN}\nHost x\n`,
      `${BLOCK_END}\n${BLOCK_BEGIN}\n`,
      `${BLOCK_BEGIN}\n${BLOCK_END}\n${BLOCK_BEGIN}\n${BLOCK_END}\n`,
    ])
      expect(() => withBlock(broken, lines)).toThrow(ManagedBlockError);
  });

  it("runs cw by absolute paths, quoted for the shell and for ssh's % tokens", () => {
    const block = cwHostsBlock({
      node: "/opt/node 20/bin/node",
      script: "/home/o'brien/100%/cw.cjs",
      knownHostsFile: "/home/o'brien/.config/cw/known_hosts",
      platform: "linux",
    });
    expect(block).toContain(
      `  ProxyCommand '/opt/node 20/bin/node' '/home/o'\\''brien/100%%/cw.cjs' ssh-proxy %n`,
    );
    expect(block).toContain(`  UserKnownHostsFile "/home/o'brien/.config/cw/known_hosts"`);
    expect(block.filter((l) => /Control/.test(l))).toEqual([]);
    expect(block.at(-1)).toBe("Host *");
    const windows = cwHostsBlock({
      node: "C:\\node\\node.exe",
      script: "C:\\cw\\cw.cjs",
      knownHostsFile: "k",
      platform: "win32",
    });
    expect(windows).toContain(`  ProxyCommand "C:\\node\\node.exe" "C:\\cw\\cw.cjs" ssh-proxy %n`);
    const shared = cwHostsBlock({
      node: "n",
      script: "s",
      knownHostsFile: "k",
      multiplexIn: "/c/cw",
      platform: "darwin",
    });
    expect(shared.filter((l) => /Control/.test(l))).toEqual([
      "  ControlMaster auto",
      '  ControlPath "/c/cw/cw-%C"',
      "  ControlPersist 1m",
    ]);
  });
});

it("cw ssh's one-connection config puts the credentials in the file and the user's configs after", () => {
  const text = renderDirectConfig({
    credentials: { host: "127.0.0.1", port: 2222, username: "vm:token" },
    knownHostsFile: "/h/.config/cw/known_hosts",
    includes: ["/h/.ssh/config", "/etc/ssh/ssh_config"],
  });
  expect(text).toContain("Host 127.0.0.1\n  Port 2222\n  User vm:token\n");
  expect(text).toContain(
    '  UserKnownHostsFile "/h/.config/cw/known_hosts"\n  StrictHostKeyChecking accept-new\n',
  );
  expect(text.endsWith('Match all\n  Include "/h/.ssh/config"\n  Include "/etc/ssh/ssh_config"\n')).toBe(
    true,
  );
});

describe("naming workspaces", () => {
  const a = sampleWorkspace({ id: "00000000-0000-4000-8000-000000000001", name: "API work" });
  const b = sampleWorkspace({ id: "00000000-0000-4000-8000-000000000002", name: "twin", branch: "x" });
  const c = sampleWorkspace({ id: "00000000-0000-4000-8000-000000000003", name: "twin", branch: "y" });
  const all = [a, b, c];

  it("by id, by name, by SSH host form; several with one name are ambiguous", () => {
    expect(matchWorkspace(all, a.id)).toEqual({ kind: "one", workspace: a });
    expect(matchWorkspace(all, "API work")).toEqual({ kind: "one", workspace: a });
    expect(hostFormOf("API work")).toBe("api-work");
    expect(sshHostOf(a)).toBe("cw-api-work");
    expect(matchWorkspace(all, "api-work")).toEqual({ kind: "one", workspace: a });
    expect(matchWorkspace(all, "cw-api-work")).toEqual({ kind: "none" });
    expect(matchWorkspace(all, "cw-api-work", true)).toEqual({ kind: "one", workspace: a });
    expect(matchWorkspace(all, "twin")).toEqual({ kind: "ambiguous", candidates: [b, c] });
    expect(matchWorkspace(all, "nope")).toEqual({ kind: "none" });
  });
});

it("says an error's reason beside its status, and what only the VM holds beside git sync", () => {
  const now = new Date("2026-01-01T10:00:00Z");
  const failed = sampleWorkspace({
    status: "error",
    statusMessage: "clone failed",
    activity: { state: "not_running", autoStopAt: null, sessions: [], holds: [] },
  });
  expect(workspaceRow(failed, now)).toEqual(["api", "main", "error: clone failed", "up to date", "-"]);
  const counted = {
    ...sampleWorkspace().sync,
    uncommittedFiles: 2,
    untrackedFiles: 0,
    unpushedCommits: 1,
    stashes: 0,
  };
  expect(workspaceRow(sampleWorkspace({ sync: counted }), now)[3]).toBe(
    "up to date (2 changed · 1 unpushed)",
  );
  const dirty = {
    ...counted,
    status: "dirty" as const,
    message: "local changes in the checkout; not updated",
  };
  expect(workspaceRow(sampleWorkspace({ sync: dirty }), now)[3]).toBe(
    "dirty: local changes in the checkout; not updated (2 changed · 1 unpushed)",
  );
});

describe("arguments", () => {
  it("parses options and arguments by the command's spec; `--` ends cw ssh's own", () => {
    expect(parseCommandArgs(commandSpecs.ls, ["--status", "running", "--json"])).toEqual({
      values: { status: "running", json: true },
      args: [],
      rest: [],
    });
    expect(parseCommandArgs(commandSpecs.ssh, ["ws", "--", "ls", "-la"])).toMatchObject({
      args: ["ws"],
      rest: ["ls", "-la"],
    });
    expect(parseCommandArgs(commandSpecs.ls, ["-h"])).toBeNull();
  });

  it("calls anything else a usage error, naming it", () => {
    expect(() => parseCommandArgs(commandSpecs.ls, ["--colour"])).toThrow(
      new UsageError("Unknown option '--colour'"),
    );
    expect(() => parseCommandArgs(commandSpecs.pause, [])).toThrow(/missing arguments \(usage: WS/);
    expect(() => parseCommandArgs(commandSpecs.pause, ["a", "b"])).toThrow('unexpected argument "b"');
    expect(() => parseCommandArgs(commandSpecs.ls, ["--status"])).toThrow(UsageError);
  });
});

describe("the stored login", () => {
  it("is overridden by CW_URL and CW_TOKEN, refused over plain http off this machine, and missing is said", () => {
    const dir = join(tmp, "login");
    expect(() => currentLogin(dir, {})).toThrow(
      new CliError("not logged in: run cw login --url URL (or set CW_URL and CW_TOKEN)"),
    );
    expect(currentLogin(dir, { CW_URL: "http://127.0.0.1:8787/", CW_TOKEN: "t" })).toEqual({
      url: "http://127.0.0.1:8787",
      token: "t",
    });
    expect(() => currentLogin(dir, { CW_URL: "http://cw.example.com", CW_TOKEN: "t" })).toThrow(
      /must use https/,
    );
    writeFileSync(join(tmp, "login.json"), '{"url": 1}');
    expect(() => currentLogin(tmp, {})).toThrow(/login\.json is damaged; run cw login again/);
  });
});

describe("waiting for a running workspace", () => {
  /** An API whose workspace goes through `states`, one per look; resume answers `onResume`. */
  function api(states: Partial<Workspace>[], onResume: () => Partial<Workspace> | Error) {
    const calls: string[] = [];
    let i = 0;
    return {
      calls,
      api: {
        async getWorkspace() {
          calls.push("get");
          const next = states[i++];
          if (!next) throw new ApiError({ status: 404, title: "Not found", detail: "workspace not found" });
          return sampleWorkspace(next);
        },
        async resumeWorkspace() {
          calls.push("resume");
          const answer = onResume();
          if (answer instanceof Error) throw answer;
          return sampleWorkspace(answer);
        },
      },
    };
  }
  const quiet = { update() {}, stop() {} };
  const opts = { progress: quiet, sleep: async () => {} };

  it("resumes a paused one, and waits out someone else's resume", async () => {
    const fake = api([{ status: "paused", operation: "resume" }, { status: "running" }], () => ({
      status: "running",
    }));
    expect(
      (await untilRunning(fake.api, sampleWorkspace({ status: "paused" }), { ...opts, resume: true })).status,
    ).toBe("running");
    expect(fake.calls).toEqual(["resume"]);
    const busy = new ApiError({
      status: 409,
      title: "Operation in progress",
      detail: "resume is in progress",
    });
    const raced = api([{ status: "paused", operation: "resume" }, { status: "running" }], () => busy);
    expect(
      (await untilRunning(raced.api, sampleWorkspace({ status: "stopped" }), { ...opts, resume: true }))
        .status,
    ).toBe("running");
    expect(raced.calls).toEqual(["resume", "get", "get"]);
  });

  it("says why when it is in error, or gone, or not running for a create", async () => {
    await expect(
      untilRunning(api([], () => ({})).api, sampleWorkspace({ status: "error", statusMessage: "no VM" }), {
        ...opts,
        resume: true,
      }),
    ).rejects.toThrow(new CliError('workspace "api" is in error: no VM (cw resume api tries again)'));
    await expect(
      untilRunning(api([], () => ({})).api, sampleWorkspace({ status: "provisioning" }), {
        ...opts,
        resume: false,
      }),
    ).rejects.toThrow('workspace "api" was deleted');
    await expect(
      untilRunning(api([], () => ({})).api, sampleWorkspace({ status: "paused" }), {
        ...opts,
        resume: false,
      }),
    ).rejects.toThrow('workspace "api" is paused, not running');
  });
});

describe("cw rm when the VM holds unsaved work", () => {
  const refusal = (canPreserve: boolean) =>
    new ApiError({
      status: 409,
      title: "Unsaved work",
      detail: "the workspace holds work that exists nowhere else: 1 untracked file",
      problem: {
        type: "/problems/unsaved-work",
        title: "Unsaved work",
        status: 409,
        detail: "the workspace holds work that exists nowhere else: 1 untracked file",
        unsavedWork: { uncommittedFiles: 0, untrackedFiles: 1, unpushedCommits: 2, stashes: 0, branches: [] },
        canPreserve,
      },
    });

  /** An API that refuses the first delete, then answers `afterRefusal`; a terminal that answers `typed`. */
  function run(opts: {
    typed: string | null;
    canPreserve?: boolean;
    flags?: { preserve: boolean; force: boolean };
    afterRefusal?: () => { pushedBranches: string[] } | undefined;
  }) {
    const calls: unknown[] = [];
    const asked: string[] = [];
    const told: string[] = [];
    const printed: string[] = [];
    const api = {
      async deleteWorkspace(id: string, flags?: { preserve?: boolean; force?: boolean }) {
        calls.push([id, flags]);
        if (calls.length === 1) throw refusal(opts.canPreserve ?? true);
        return opts.afterRefusal ? opts.afterRefusal() : undefined;
      },
    };
    const ask =
      opts.typed === null
        ? null
        : async (question: string) => {
            asked.push(question);
            return opts.typed!;
          };
    const done = deleteWorkspace(sampleWorkspace(), opts.flags ?? { preserve: false, force: false }, {
      api,
      ask,
      tell: (line) => told.push(line),
      print: (line) => printed.push(line),
    });
    return { done, calls, asked, told, printed };
  }
  const id = sampleWorkspace().id;

  it("on a terminal says what the VM holds, and 's' saves it to a branch, deletes and names the branch", async () => {
    const wip = "cw/wip/api-20260101T100000Z";
    const r = run({ typed: "s\n", afterRefusal: () => ({ pushedBranches: [wip, "topic"] }) });
    expect(await r.done).toBe(0);
    expect(r.told).toEqual([
      "api's VM holds work that exists nowhere else:",
      "  1 untracked file",
      "  2 commits on no branch of the git host",
      "  s  save it to a cw/wip/… branch on the git host, then delete",
      "  d  delete anyway: the work is lost",
      "  c  cancel (the default)",
    ]);
    expect(r.asked).toEqual(["[s/d/C] "]);
    expect(r.calls).toEqual([
      [id, { preserve: false, force: false }],
      [id, { preserve: true, force: false }],
    ]);
    expect(r.printed).toEqual([`Deleted api. Its work was pushed to ${wip}, topic.`]);
  });

  it("'d' deletes anyway; Enter, a typo or 's' where saving cannot help cancel", async () => {
    const force = run({ typed: "delete" });
    expect(await force.done).toBe(0);
    expect(force.calls.at(-1)).toEqual([id, { preserve: false, force: true }]);
    expect(force.printed).toEqual(["Deleted api."]);
    for (const [typed, canPreserve] of [
      ["", true],
      ["yes", true],
      ["s", false],
    ] as const) {
      const cancelled = run({ typed, canPreserve });
      expect(await cancelled.done).toBe(1);
      expect(cancelled.calls).toHaveLength(1);
      expect(cancelled.printed).toEqual(["Nothing deleted."]);
      expect(cancelled.asked).toEqual([canPreserve ? "[s/d/C] " : "[d/C] "]);
    }
  });

  it("with nobody to ask, or flags already given, is an error saying which flag settles it", async () => {
    for (const r of [run({ typed: null }), run({ typed: "d", flags: { preserve: true, force: false } })]) {
      await expect(r.done).rejects.toThrow(
        new CliError(
          "the workspace holds work that exists nowhere else: 1 untracked file (cw rm --preserve pushes it to a branch first; --force discards it)",
        ),
      );
      expect(r.calls).toHaveLength(1);
      expect(r.asked).toEqual([]);
    }
  });

  it("a save whose push fails deletes nothing and says so", async () => {
    const r = run({
      typed: "s",
      afterRefusal: () => {
        throw refusal(true);
      },
    });
    await expect(r.done).rejects.toThrow(
      /1 untracked file \(nothing deleted; cw rm --force discards the work\)$/,
    );
    expect(r.calls).toHaveLength(2);
  });
});

describe("the API client over node:http (cw's fetch)", () => {
  it("sends the request as fetch would and reads answers, problems, silence and refusals the same", async () => {
    const seen: { method?: string; url?: string; auth?: string; body: string }[] = [];
    const server = createServer((req, res) => {
      let body = "";
      req.on("data", (d) => (body += d));
      req.on("end", () => {
        seen.push({ method: req.method, url: req.url, auth: req.headers.authorization, body });
        if (req.url === "/v1/tokens") {
          res.writeHead(400, "Bad Request", { "content-type": "application/problem+json" });
          res.end(
            JSON.stringify({
              type: "/problems/validation",
              title: "Invalid request",
              status: 400,
              detail: "body.name: too long",
            }),
          );
        } else if (req.url === "/healthz") res.end('{"ok":true}');
        // Anything else: no answer at all.
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    try {
      const api = createApiClient({ baseUrl: base, token: "cwk_t", fetch: httpFetch, timeoutMs: 300 });
      expect(await api.getHealth()).toEqual({ ok: true });
      await expect(api.createToken({ name: "x" })).rejects.toMatchObject({
        status: 400,
        detail: "body.name: too long",
      });
      expect(seen[1]).toEqual({
        method: "POST",
        url: "/v1/tokens",
        auth: "Bearer cwk_t",
        body: '{"name":"x"}',
      });
      await expect(api.getMe()).rejects.toMatchObject({
        status: 0,
        detail: expect.stringMatching(/^Cannot reach the API at .+: .*timeout/i),
      });
    } finally {
      server.closeAllConnections();
      server.close();
    }
    const refused = createApiClient({ baseUrl: "http://127.0.0.1:1", fetch: httpFetch });
    await expect(refused.getHealth()).rejects.toMatchObject({
      status: 0,
      detail: "Cannot reach the API at http://127.0.0.1:1: connect ECONNREFUSED 127.0.0.1:1",
    });
  });
});

describe("the requests a connect starts from the entry", () => {
  const ws = sampleWorkspace({ name: "api" });
  const credentials = {
    host: "127.0.0.1",
    port: 2222,
    username: `vm:secret`,
    token: "secret",
    expiresAt: "2026-01-01T10:15:00.000Z",
    command: "ssh vm:secret@127.0.0.1 -p 2222",
  };

  /** A stand-in for the API answering the lookup and credentials, and never the rest. */
  async function fakeApi() {
    const seen: string[] = [];
    const server = createServer((req, res) => {
      seen.push(`${req.method} ${req.url} ${req.headers.authorization}`);
      if (req.url === "/v1/workspaces?limit=200") res.end(JSON.stringify({ items: [ws], nextCursor: null }));
      else if (req.url === `/v1/workspaces/${ws.id}/ssh`) res.end(JSON.stringify(credentials));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    const close = () => {
      server.closeAllConnections();
      server.close();
    };
    return { url, seen, close };
  }

  function dirs(name: string, login: object, hints: object[]) {
    const config = join(tmp, name, "config");
    const cache = join(tmp, name, "cache");
    mkdirSync(config, { recursive: true });
    mkdirSync(cache, { recursive: true });
    writeFileSync(loginFile(config), JSON.stringify(login));
    writeFileSync(connectHintsFile(cache), JSON.stringify(hints));
    return { config, cache };
  }

  it("asks what connectCredentials asks, before it does, and hands each answer over once", async () => {
    const api = await fakeApi();
    const before = process.env.XDG_CACHE_HOME;
    try {
      const hint = {
        api: api.url,
        ref: "cw-api",
        workspaceId: ws.id,
        gateway: { host: "127.0.0.1", port: 2222 },
      };
      const d = dirs("early", { url: api.url, token: "cwk_a" }, [hint]);
      const early = startEarlyRequests("ssh-proxy", ["cw-api"], d, {});
      expect(early).toBeDefined();
      await early!.sent;
      // On the wire before the command asks anything.
      await vi.waitFor(() => expect(api.seen).toHaveLength(2));
      expect(api.seen.sort()).toEqual([
        "GET /v1/workspaces?limit=200 Bearer cwk_a",
        `POST /v1/workspaces/${ws.id}/ssh Bearer cwk_a`,
      ]);

      // connect-hints.ts reads the cache folder of the environment (cw's cache is <XDG_CACHE_HOME>/cw).
      process.env.XDG_CACHE_HOME = join(tmp, "early", "xdg");
      mkdirSync(join(process.env.XDG_CACHE_HOME, "cw"), { recursive: true });
      writeFileSync(connectHintsFile(join(process.env.XDG_CACHE_HOME, "cw")), JSON.stringify([hint]));
      const got = await connectCredentials(apiClientFor(api.url, "cwk_a", early), "cw-api", true);
      expect(got).toEqual({ workspace: ws, credentials });
      // Both answers were the early ones: nothing was asked twice.
      expect(api.seen).toHaveLength(2);
      // Each is handed over once, and only to the same token.
      expect(early!.take("GET", `${api.url}/v1/workspaces?limit=200`, "Bearer cwk_a")).toBeUndefined();
      const again = startEarlyRequests("ssh", ["cw-api"], d, {})!;
      await again.sent;
      expect(again.take("GET", `${api.url}/v1/workspaces?limit=200`, "Bearer cwk_other")).toBeUndefined();
      expect(again.take("GET", `${api.url}/v1/workspaces?limit=200`, "Bearer cwk_a")).toBeUndefined();
    } finally {
      if (before === undefined) delete process.env.XDG_CACHE_HOME;
      else process.env.XDG_CACHE_HOME = before;
      api.close();
    }
  });

  it("starts nothing for other commands, without a login, or where the token may not go", async () => {
    const d = dirs("none", { url: "http://cw.example.com", token: "cwk_a" }, []);
    expect(startEarlyRequests("ssh-proxy", ["cw-api"], d, {})).toBeUndefined();
    expect(
      startEarlyRequests("ssh-proxy", ["cw-api"], d, { CW_URL: "http://10.0.0.1", CW_TOKEN: "t" }),
    ).toBeUndefined();
    expect(
      startEarlyRequests("ssh-proxy", ["cw-api"], { config: join(tmp, "nowhere"), cache: tmp }, {}),
    ).toBeUndefined();
    const api = await fakeApi();
    try {
      expect(
        startEarlyRequests("ls", [], dirs("ls", { url: api.url, token: "cwk_a" }, []), {}),
      ).toBeUndefined();
      // Without a hint only the lookup goes early; CW_URL and CW_TOKEN win over the file.
      const early = startEarlyRequests("ssh", ["api"], d, { CW_URL: api.url, CW_TOKEN: "cwk_env" })!;
      await early.sent;
      await vi.waitFor(() => expect(api.seen).toEqual(["GET /v1/workspaces?limit=200 Bearer cwk_env"]));
    } finally {
      api.close();
    }
  });

  it("keeps the request's own deadline for an answer that does not come", async () => {
    const api = await fakeApi();
    try {
      const d = dirs("late", { url: api.url, token: "cwk_a" }, []);
      // An id is looked up by itself, which this API never answers.
      const early = startEarlyRequests("ssh", [ws.id], d, {})!;
      await early.sent;
      const client = createApiClient({
        baseUrl: api.url,
        token: "cwk_a",
        fetch: withEarlyAnswers(httpFetch, early),
        timeoutMs: 300,
      });
      await expect(client.getWorkspace(ws.id)).rejects.toMatchObject({
        status: 0,
        detail: expect.stringMatching(/timeout/i),
      });
      expect(api.seen).toEqual([`GET /v1/workspaces/${ws.id} Bearer cwk_a`]);
    } finally {
      api.close();
    }
  });
});
