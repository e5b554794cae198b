import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { type ApiClient, createApiClient } from "@cw/contracts/client";
import type { Hold, Workspace } from "@cw/contracts/types";
import { createDb, schema } from "@cw/db";
import { useNodeWebSocket } from "@cw/db/node";
import { git, startTestStack, type TestStack, waitFor } from "@cw/testing/node";
import { type OpenSshTarget, openSsh, startSsh } from "@cw/testing/openssh";
import { sshConformance } from "@cw/testing/ssh-conformance";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configSshTarget, connectThroughCw, runCw, startCw } from "../src/testing.ts";

/**
 * `cw` against the real control plane (a throw-away local stack: worker, PostgreSQL, VM host),
 * run as a user runs it — the built CLI, HOME in a temporary folder, the real OpenSSH clients
 * through the ssh_config block `cw config-ssh` wrote.
 */
let stack: TestStack;
let api: ApiClient;
let tmp: string;
let home: string;
let demo: { id: string; cloneUrl: string };
let featureHead: string;

/** What a user's ~/.ssh/config held before cw: kept byte for byte (and hermetic for the tests). */
const USER_CONFIG = [
  "# my own settings",
  "ServerAliveInterval 30",
  "",
  "Host *",
  "\tBatchMode yes",
  "  GlobalKnownHostsFile /dev/null",
  "  IdentityAgent none",
  "  IdentityFile none",
  "  PubkeyAuthentication no",
  "  UpdateHostKeys no",
  "Host github.com # a neighbour cw must not touch",
  "  User git",
].join("\n");

const lines = (text: string) => text.split(/\r?\n/).filter((l) => l !== "");

/** A fresh HOME with the user's own ssh config, logged in and `cw config-ssh` run. */
async function newUser(name: string): Promise<string> {
  const dir = join(tmp, name);
  mkdirSync(join(dir, ".ssh"), { recursive: true, mode: 0o700 });
  writeFileSync(join(dir, ".ssh", "config"), USER_CONFIG, { mode: 0o600 });
  const login = await runCw(dir, ["login", "--url", stack.workerUrl, "--token-stdin"], {
    input: `${stack.token}\n`,
  });
  expect(login.code, login.stderr).toBe(0);
  expect((await runCw(dir, ["config-ssh"])).code).toBe(0);
  return dir;
}

async function created(name: string, branch = "feature", more: string[] = []): Promise<Workspace> {
  const result = await runCw(home, ["create", "demo", branch, "--name", name, "--json", ...more]);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as Workspace;
}

beforeAll(async () => {
  stack = await startTestStack("cw-cli-");
  api = createApiClient({ baseUrl: stack.workerUrl, token: stack.token });
  tmp = mkdtempSync(join(tmpdir(), "cw-cli-home-"));
  const repo = (await api.listRepositories()).items.find((r) => r.name === "demo");
  if (!repo) throw new Error("the stack seeds a demo repository");
  demo = repo;
  featureHead = git(new URL(demo.cloneUrl).pathname, "rev-parse", "refs/heads/feature");
  home = await newUser("user");
}, 180_000);

afterAll(async () => {
  await stack?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe("ssh cw-<workspace> through cw config-ssh, with the real OpenSSH clients", () => {
  let ws: Workspace;
  let target: OpenSshTarget;
  beforeAll(async () => {
    ws = await created("conformance");
    expect(ws).toMatchObject({ status: "running", branch: "feature" });
    target = configSshTarget(home, "cw-conformance");
  }, 120_000);

  sshConformance(() => ({
    openssh: target,
    workdir: join(stack.vmHost!.vmDir(ws.providerVmId!), "workspace"),
    head: featureHead,
    connectSsh2: () => connectThroughCw(target, ["ssh-proxy", "conformance"]),
  }));

  it("runs the branch's checkout with `cw ssh`, exiting with the remote command's status", async () => {
    const head = await runCw(home, ["ssh", "conformance", "--", "git", "rev-parse", "HEAD"]);
    expect(head).toMatchObject({ code: 0, stdout: `${featureHead}\n` });
    expect((await runCw(home, ["ssh", ws.id, "--", "exit 7"])).code).toBe(7);
    // The gateway's key was pinned in cw's own known_hosts, beside the bridge's.
    const pins = readFileSync(join(home, ".config", "cw", "known_hosts"), "utf8");
    expect(pins).toMatch(/^cw-bridge ssh-ed25519 /m);
    expect(pins).toContain(`[${stack.vmHost!.sshHost}]:${stack.vmHost!.sshPort} ssh-ed25519 `);
  });
});

describe("presence and resume", () => {
  it("resumes a paused workspace for `ssh cw-<ws> true`", async () => {
    const ws = await created("sleepy");
    expect((await runCw(home, ["pause", "sleepy"])).code).toBe(0);
    expect((await api.getWorkspace(ws.id)).status).toBe("paused");
    const result = await openSsh(configSshTarget(home, "cw-sleepy")).ssh(["cw-sleepy", "true"]);
    expect(result).toEqual({ code: 0, stdout: "", stderr: "" });
    expect((await api.getWorkspace(ws.id)).status).toBe("running");
  });

  it("counts an open connection as connected, so auto-stop leaves the workspace alone until it closes", async () => {
    const ws = await created("held", "feature", ["--auto-stop", "1"]);
    useNodeWebSocket();
    const db = createDb(stack.db);
    const idleForAnHour = () =>
      db.db
        .update(schema.cloudWorkspaces)
        .set({ lastActiveAt: sql`now() - interval '1 hour'` })
        .where(eq(schema.cloudWorkspaces.id, ws.id));
    try {
      const session = startSsh(configSshTarget(home, "cw-held"), [
        "cw-held",
        "echo connected; exec sleep 600",
      ]);
      await session.waitFor(/connected/);
      await waitFor(
        "the connection to count",
        async () => (await api.getWorkspace(ws.id)).connectedCount === 1,
      );
      expect((await api.listSessions(ws.id)).items.map((s) => s.clientType)).toEqual(["cli"]);

      await idleForAnHour();
      await stack.tick();
      expect(await api.getWorkspace(ws.id)).toMatchObject({ status: "running", connectedCount: 1 });

      await session.stop();
      await waitFor(
        "the connection to end",
        async () => (await api.getWorkspace(ws.id)).connectedCount === 0,
      );
      // The same hour of idleness, with nobody connected, does stop it: the tick would have acted.
      await idleForAnHour();
      await stack.tick();
      await waitFor("auto-stop", async () => (await api.getWorkspace(ws.id)).status === "paused");
    } finally {
      await db.close();
    }
  });
});

describe("holds: cw hold, cw status, cw unhold", () => {
  let ws: Workspace;
  let me: string;
  beforeAll(async () => {
    ws = await created("holding");
    me = (await api.getMe()).user.name;
  }, 120_000);
  const holdsOf = async () => (await api.listHolds(ws.id)).items;
  const heldFor = (reason: string) =>
    waitFor("the hold to be listed", async () => {
      const holds = await holdsOf();
      return holds.length === 1 && holds[0]!.reason === reason;
    });

  it("cw hold --for places a hold that cw status and cw ls show with its reason; cw unhold releases it", async () => {
    const before = Date.now();
    const placed = await runCw(home, [
      "hold",
      "holding",
      "--for",
      "2h",
      "--reason",
      "nightly build",
      "--json",
    ]);
    expect(placed.code, placed.stderr).toBe(0);
    const hold = JSON.parse(placed.stdout) as Hold;
    expect(hold).toMatchObject({ reason: "nightly build", name: me });
    const ahead = (Date.parse(hold.until) - before) / 60_000;
    expect(ahead).toBeGreaterThanOrEqual(120);
    expect(ahead).toBeLessThan(125);
    expect((await holdsOf()).map((h) => h.id)).toEqual([hold.id]);

    const status = await runCw(home, ["status", "holding"]);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(
      /^ {2}activity {3}running because of a hold 'nightly build' until (tomorrow )?\d\d:\d\d; then auto-pause at (tomorrow )?\d\d:\d\d \(in 1[45]\d min\)$/m,
    );
    expect(status.stdout).toMatch(
      new RegExp(`^holds \\(1\\)\n {2}REASON .*\n {2}nightly build {2}${me} +.+ +${hold.id}$`, "m"),
    );
    const json = JSON.parse((await runCw(home, ["status", ws.id, "--json"])).stdout) as Workspace;
    expect(json.activity).toMatchObject({
      state: "held_by_holds",
      holds: [{ id: hold.id, reason: "nightly build" }],
    });
    const ls = lines((await runCw(home, ["ls", "--status", "running"])).stdout);
    expect(ls[0]).toMatch(/^NAME +BRANCH +STATUS +GIT SYNC +ACTIVITY$/);
    expect(ls.find((l) => l.startsWith("holding "))).toMatch(
      /^holding +feature +running +\S.* +running because of a hold 'nightly build' until (tomorrow )?\d\d:\d\d; then auto-pause/,
    );

    // A second hold, with --until: now there are two, so unhold without an id lists them.
    const until = new Date(Date.now() + 90 * 60_000).toISOString();
    const second = await runCw(home, ["hold", ws.id, "--until", until, "--reason", "migration", "--json"]);
    expect(second.code, second.stderr).toBe(0);
    expect(JSON.parse(second.stdout) as Hold).toMatchObject({ reason: "migration", until });
    const which = await runCw(home, ["unhold", "holding"]);
    expect(which.code).toBe(1);
    expect(lines(which.stderr)).toEqual([
      expect.stringMatching(
        /^cw: holding has 2 holds: 'migration' by .+; 'nightly build' by .+; name one by its id, or --all$/,
      ),
    ]);
    const one = await runCw(home, ["unhold", "holding", hold.id]);
    expect(one.code, one.stderr).toBe(0);
    expect(one.stdout).toMatch(
      new RegExp(
        `^Released 'nightly build' by ${me} until (tomorrow )?\\d\\d:\\d\\d \\(id ${hold.id}\\) on holding\\.\n$`,
      ),
    );
    expect((await holdsOf()).map((h) => h.reason)).toEqual(["migration"]);
    expect((await runCw(home, ["unhold", "holding", "--all"])).code).toBe(0);
    expect(await holdsOf()).toEqual([]);
    const none = await runCw(home, ["unhold", "holding"]);
    expect(none).toMatchObject({ code: 1, stderr: "cw: holding has no holds\n" });
  });

  it("cw status names the people connected, with their client", async () => {
    const session = await api.joinSession(ws.id, "web");
    try {
      await waitFor("the session in the workspace's activity", async () =>
        (await api.getWorkspace(ws.id)).activity.sessions.some((s) => s.sessionId === session.sessionId),
      );
      const status = await runCw(home, ["status", "holding"]);
      expect(status.stdout).toMatch(
        new RegExp(`^ {2}activity {3}running because ${me} \\(web, \\d+ min\\)$`, "m"),
      );
      expect(status.stdout).toMatch(
        new RegExp(`^connected \\(1\\)\n {2}NAME .*\n {2}${me} +\\S+@\\S+ +web +\\S+`, "m"),
      );
    } finally {
      await api.leaveSession(ws.id, session.sessionId);
    }
  });

  it("cw hold -- COMMAND holds while it runs, releases when it ends, and exits with its status", async () => {
    const done = join(tmp, "hold-done");
    const run = startCw(home, [
      "hold",
      "holding",
      "--",
      "sh",
      "-c",
      'echo running; while [ ! -e "$0" ]; do sleep 0.1; done; exit 3',
      done,
    ]);
    await waitFor("the command to run", async () => run.output().stdout.includes("running"));
    // Named by the program, not its arguments (which may hold secrets).
    await heldFor("sh (cw hold)");
    writeFileSync(done, "");
    const end = await run.exited;
    expect(end.code, end.stderr).toBe(3);
    expect(end.stderr).toMatch(
      /^cw: holding holding while sh runs \(hold \S+: 10 min, renewed every 5; released when it ends\)$/m,
    );
    expect(await holdsOf()).toEqual([]);
  });

  it("on SIGINT, passes it on to the command, releases the hold, and exits as the command did", async () => {
    const sleeper = startCw(home, ["hold", "holding", "--reason", "long job", "--", "sleep", "600"]);
    await heldFor("long job");
    sleeper.child.kill("SIGINT");
    expect(await sleeper.exited).toMatchObject({ code: 130, signal: null });
    expect(await holdsOf()).toEqual([]);

    // A command that handles SIGINT: it got it, and cw exits with the status it chose.
    const trapper = startCw(home, [
      "hold",
      "holding",
      "--",
      "sh",
      "-c",
      'trap "echo got-int; exit 7" INT; echo running; while :; do sleep 0.1; done',
    ]);
    await waitFor("the command to run", async () => trapper.output().stdout.includes("running"));
    await heldFor("sh (cw hold)");
    trapper.child.kill("SIGINT");
    const end = await trapper.exited;
    expect(end).toMatchObject({ code: 7, stdout: "running\ngot-int\n" });
    expect(await holdsOf()).toEqual([]);
  });

  it("a workspace not running: the API's reason in one line, exit 1, and the command never runs", async () => {
    expect((await runCw(home, ["pause", "holding"])).code).toBe(0);
    const timed = await runCw(home, ["hold", "holding", "--for", "1h", "--reason", "x"]);
    expect(timed).toMatchObject({
      code: 1,
      stdout: "",
      stderr:
        "cw: cannot hold a workspace that is paused: a hold keeps a running workspace running; resume it first\n",
    });
    const command = await runCw(home, ["hold", "holding", "--", "sh", "-c", "echo ran"]);
    expect(command).toMatchObject({ code: 1, stdout: "", stderr: timed.stderr });
    const usage = await runCw(home, ["hold", "holding", "--for", "25h", "--reason", "x"]);
    expect(usage).toMatchObject({
      code: 2,
      stderr: "cw hold: --for: a hold lasts at most 24h (1440 minutes) (cw hold --help)\n",
    });
  });
});

describe("cw config-ssh", () => {
  it("changes nothing the second time, and --remove restores the original file exactly", async () => {
    const fresh = join(tmp, "config-ssh");
    const file = join(fresh, ".ssh", "config");
    mkdirSync(join(fresh, ".ssh"), { recursive: true });
    const original = `${USER_CONFIG}\r\nHost crlf\r\n  Port 2200`;
    writeFileSync(file, original, { mode: 0o600 });

    const first = await runCw(fresh, ["config-ssh"]);
    expect(first.code).toBe(0);
    const written = readFileSync(file, "utf8");
    expect(written.endsWith(original)).toBe(true);
    expect(written).toMatch(
      /^# >>> cw: [^\r\n]+\r\n(#[^\r\n]*\r\n)*Host cw-\*\r\n {2}ProxyCommand '.+' '.+cw\.cjs' ssh-proxy %n\r\n/,
    );
    expect(readFileSync(`${file}.cw-backup`, "utf8")).toBe(original);

    const second = await runCw(fresh, ["config-ssh"]);
    expect(second).toMatchObject({ code: 0, stdout: expect.stringContaining("nothing changed") });
    expect(readFileSync(file, "utf8")).toBe(written);

    const shared = await runCw(fresh, ["config-ssh", "--multiplex"]);
    expect(shared.code).toBe(0);
    expect(readFileSync(file, "utf8")).toMatch(
      / {2}ControlMaster auto\r\n {2}ControlPath ".+\/cw-%C"\r\n {2}ControlPersist 1m\r\n/,
    );

    const removed = await runCw(fresh, ["config-ssh", "--remove"]);
    expect(removed.code).toBe(0);
    expect(readFileSync(file, "utf8")).toBe(original);
    expect((await runCw(fresh, ["config-ssh", "--remove"])).stdout).toContain(
      "has no cw block; nothing changed",
    );
  });
});

describe("one line and exit 1 when it cannot be done", () => {
  const oneLine = (result: { stderr: string }) => {
    expect(lines(result.stderr)).toHaveLength(1);
    return lines(result.stderr)[0];
  };

  it("a bad token", async () => {
    const bad = await runCw(home, ["ls"], { env: { CW_TOKEN: "cwk_wrong" } });
    expect(bad.code).toBe(1);
    expect(oneLine(bad)).toBe(
      "cw: the API refused cw's token: unknown, expired or revoked token (cw login stores another)",
    );
    const nobody = join(tmp, "nobody");
    mkdirSync(nobody);
    const login = await runCw(nobody, ["login", "--url", stack.workerUrl, "--token-stdin"], {
      input: "cwk_wrong\n",
    });
    expect(login.code).toBe(1);
    expect(oneLine(login)).toBe(
      `cw: the API at ${stack.workerUrl} refused the token: unknown, expired or revoked token`,
    );
    const viaSsh = await openSsh(configSshTarget(home, "cw-conformance", { CW_TOKEN: "cwk_wrong" })).ssh([
      "cw-conformance",
      "true",
    ]);
    expect(viaSsh.code).toBe(255);
    expect(oneLine(viaSsh)).toBe(
      "cw: the API refused cw's token: unknown, expired or revoked token (cw login stores another)",
    );
  });

  it("an unknown workspace", async () => {
    const unknown = await runCw(home, ["ssh", "nope", "--", "true"]);
    expect(unknown.code).toBe(1);
    expect(oneLine(unknown)).toBe('cw: no workspace named "nope" (cw ls lists them)');
    const viaSsh = await openSsh(configSshTarget(home, "cw-nope")).ssh(["cw-nope", "true"]);
    expect(viaSsh.code).toBe(255);
    expect(oneLine(viaSsh)).toBe('cw: no workspace named "cw-nope" (cw ls lists them)');
  });

  it("an ambiguous name, listing the candidates", async () => {
    const [a, b] = [
      await created("twin", "main", ["--no-wait"]),
      await created("twin", "feature", ["--no-wait"]),
    ];
    const result = await runCw(home, ["stop", "twin"]);
    expect(result.code).toBe(1);
    const line = oneLine(result);
    expect(line).toMatch(/^cw: "twin" names 2 workspaces: twin \(.+\); name one by its id$/);
    expect(line).toContain(a!.id);
    expect(line).toContain(b!.id);
  });

  it("a workspace in error, from create on", async () => {
    const failed = await runCw(home, ["create", "demo", "no-such-branch", "--name", "broken"]);
    expect(failed.code).toBe(1);
    expect(oneLine(failed)).toMatch(
      /^cw: workspace "broken" is in error: .+ \(cw resume broken tries again\)$/,
    );
    const viaSsh = await openSsh(configSshTarget(home, "cw-broken")).ssh(["cw-broken", "true"]);
    expect(viaSsh.code).toBe(255);
    expect(oneLine(viaSsh)).toMatch(/^cw: workspace "broken" is in error: /);
    expect((await runCw(home, ["ssh", "broken"])).code).toBe(1);
  });

  it("a workspace holding unsaved work is not deleted unless told what to do with it", async () => {
    const ws = await created("unsaved");
    writeFileSync(join(stack.vmHost!.vmDir(ws.providerVmId!), "workspace", "notes.txt"), "only here\n");
    const refused = await runCw(home, ["rm", "unsaved", "--yes"]);
    expect(refused.code).toBe(1);
    expect(oneLine(refused)).toMatch(
      /^cw: the workspace holds work that exists nowhere else: .*1 untracked file.* \(cw rm --preserve pushes it to a branch first; --force discards it\)$/,
    );
    expect((await api.getWorkspace(ws.id)).status).toBe("running");
    expect(await runCw(home, ["rm", "unsaved", "--yes", "--force"])).toMatchObject({
      code: 0,
      stdout: "Deleted unsaved.\n",
    });
    await expect(api.getWorkspace(ws.id)).rejects.toMatchObject({ status: 404 });
  });

  it("wrong usage is exit 2, with the way to help", async () => {
    const rm = await runCw(home, ["rm", "conformance"]);
    expect(rm.code).toBe(2);
    expect(oneLine(rm)).toBe(
      "cw rm: not on a terminal to ask; pass --yes to delete conformance (cw rm --help)",
    );
    const both = await runCw(home, ["rm", "conformance", "--yes", "--preserve", "--force"]);
    expect(both.code).toBe(2);
    expect(oneLine(both)).toBe("cw rm: choose --preserve or --force, not both (cw rm --help)");
    const status = await runCw(home, ["ls", "--status", "sleeping"]);
    expect(status.code).toBe(2);
    expect(oneLine(status)).toMatch(/^cw ls: --status must be one of provisioning, running/);
    expect((await runCw(home, ["frobnicate"])).code).toBe(2);
  });
});

describe("cw edit", () => {
  it("renames a workspace and changes its auto-stop; nothing to change, or a bad value, is usage", async () => {
    const ws = await created("edit-me", "main");
    const edited = await runCw(home, ["edit", "edit-me", "--name", "edited", "--auto-stop", "0", "--json"]);
    expect(edited.code, edited.stderr).toBe(0);
    expect(JSON.parse(edited.stdout)).toMatchObject({ id: ws.id, name: "edited", autoStopMinutes: 0 });
    expect(await api.getWorkspace(ws.id)).toMatchObject({
      name: "edited",
      autoStopMinutes: 0,
      autoStopAt: null,
    });
    const table = await runCw(home, ["edit", ws.id, "--auto-stop", "45", "--auto-stop-action", "stop"]);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/^edited\s+main\s+running/m);
    expect(await api.getWorkspace(ws.id)).toMatchObject({ autoStopMinutes: 45, autoStopAction: "stop" });

    const nothing = await runCw(home, ["edit", "edited"]);
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toBe(
      "cw edit: nothing to change: pass --name, --auto-stop or --auto-stop-action (cw edit --help)\n",
    );
    const bad = await runCw(home, ["edit", "edited", "--auto-stop", "-5"]);
    expect(bad.code).toBe(2);
    expect(await api.getWorkspace(ws.id)).toMatchObject({ name: "edited", autoStopMinutes: 45 });
  });
});

describe("unsaved work on delete", () => {
  it("cw rm --preserve pushes the VM's unsaved work to a cw/wip/… branch on the git host, then deletes", async () => {
    const ws = await created("preserved");
    const checkout = join(stack.vmHost!.vmDir(ws.providerVmId!), "workspace");
    writeFileSync(join(checkout, "notes.txt"), "only here\n");
    writeFileSync(join(checkout, "feature.txt"), "edited in the VM\n");
    const result = await runCw(home, ["rm", "preserved", "--yes", "--preserve"]);
    expect(result.code, result.stderr).toBe(0);
    const wip = /^Deleted preserved\. Its work was pushed to (cw\/wip\/preserved-\d{8}T\d{6}Z)\.\n$/.exec(
      result.stdout,
    )?.[1];
    expect(wip, result.stdout).toBeDefined();
    await expect(api.getWorkspace(ws.id)).rejects.toMatchObject({ status: 404 });
    const bare = new URL(demo.cloneUrl).pathname;
    expect(git(bare, "show", `refs/heads/${wip}:notes.txt`)).toBe("only here");
    expect(git(bare, "show", `refs/heads/${wip}:feature.txt`)).toBe("edited in the VM");
    // On top of the branch the workspace was on.
    expect(git(bare, "rev-parse", `refs/heads/${wip}~1`)).toBe(featureHead);
  });
});

describe("cw create in a git worktree", () => {
  it("does what the desktop's enable cloud does: origin and current branch; with progress off it prints the workspace", async () => {
    const clone = join(tmp, "my-clone");
    git(tmp, "clone", "-q", demo.cloneUrl, clone);
    git(clone, "checkout", "-q", "feature");
    const result = await runCw(home, ["create"], { cwd: clone });
    expect(result.code, result.stderr).toBe(0);
    const [header, row] = lines(result.stdout);
    expect(header).toMatch(/^NAME\s+BRANCH\s+STATUS\s+GIT SYNC\s+ACTIVITY$/);
    expect(row).toMatch(
      new RegExp(
        `^${basename(clone)}-feature\\s+feature\\s+running\\s+.+\\s+idle: auto-pause at .+ \\(in \\d+ min\\)$`,
      ),
    );
    // Not a terminal: no spinner, only the hint.
    expect(result.stderr).not.toMatch(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]|\r/);
    const all = await api.listAllWorkspaces();
    expect(all.find((w) => w.name === `${basename(clone)}-feature`)).toMatchObject({
      repositoryId: demo.id,
      branch: "feature",
    });

    git(clone, "checkout", "-q", "-b", "local-only");
    const unpushed = await runCw(home, ["create"], { cwd: clone });
    expect(unpushed.code).toBe(1);
    expect(lines(unpushed.stderr)).toEqual([
      'cw: Branch "local-only" is not pushed to origin yet; push it first (git push -u origin local-only)',
    ]);
  });
});
