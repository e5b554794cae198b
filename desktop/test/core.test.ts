import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { joinPresence } from "@cw/client-node/presence";
import { enableCloud, inspectWorktree } from "@cw/client-node/worktree";
import { type ApiClient, ApiError, createApiClient } from "@cw/contracts/client";
import { commit, git, originAndClone, startTestStack, type TestStack, waitFor } from "@cw/testing/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BackendDeps, createDesktopBackend } from "../src/core/backend/desktop-backend.ts";
import { storeLinks } from "../src/core/backend/worktree-links.ts";
import { createPollingStore } from "../src/core/polling-store.ts";
import { parseSettings } from "../src/core/settings.ts";
import {
  HostKeyMismatchError,
  type HostKeyStore,
  hostIdOf,
  memoryHostKeyStore,
} from "../src/core/ssh/host-keys.ts";
import { createTerminalManager, type TerminalExit } from "../src/core/ssh/terminal-manager.ts";
import { plainFileTokenStore } from "../src/core/token-store.ts";
import { eventChannels, type TerminalExitEvent } from "../src/shared/ipc.ts";
import { PATIENCE_MS, TEST_TIMEOUT_MS } from "./support/patience.ts";

/** core/ in plain Node against the real local stack: API client, polling store, SSH terminals, enable-cloud. */
let stack: TestStack;
let api: ApiClient;
let demoRepoId: string;
let runningId: string;
const tmp = mkdtempSync(join(tmpdir(), "cw-desktop-core-"));
/** Waits for real work (the stack, SSH, git) with the patience a busy machine needs. */
const eventually = <T>(what: string, probe: () => Promise<T | undefined | null | false>) =>
  waitFor(what, probe, PATIENCE_MS);

beforeAll(async () => {
  stack = await startTestStack("cw-desktop-core-stack-");
  api = createApiClient({ baseUrl: stack.workerUrl, token: stack.token });
  const demo = (await api.listRepositories()).items.find((r) => r.name === "demo");
  if (!demo) throw new Error("the stack seeds a demo repository");
  demoRepoId = demo.id;
  const ws = await api.createWorkspace({ repositoryId: demoRepoId, name: "core-shared", branch: "main" });
  runningId = ws.id;
  await eventually("workspace running", async () => (await api.getWorkspace(ws.id)).status === "running");
}, 180_000);

afterAll(async () => {
  await stack?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

describe("API client", { timeout: TEST_TIMEOUT_MS }, () => {
  it("creates (202 provisioning), lists across pages, reads, and drives the lifecycle", async () => {
    const created = await api.createWorkspace({
      repositoryId: demoRepoId,
      name: "client-lifecycle",
      branch: "feature",
      autoStopMinutes: 15,
    });
    expect(created).toMatchObject({ status: "provisioning", name: "client-lifecycle", autoStopMinutes: 15 });
    const running = await eventually("running", async () => {
      const w = await api.getWorkspace(created.id);
      return w.status === "running" ? w : null;
    });
    expect(running.branch).toBe("feature");
    expect((await api.listAllWorkspaces()).map((w) => w.id)).toEqual(
      expect.arrayContaining([created.id, runningId]),
    );

    expect((await api.pauseWorkspace(created.id)).status).toBe("paused");
    // A refused transition: the problem's detail becomes the message, the status is kept.
    const refused = await api.pauseWorkspace(created.id).catch((e) => e);
    expect(refused).toBeInstanceOf(ApiError);
    expect(refused.status).toBe(409);
    expect(refused.message).toMatch(/paused/);
    expect((await api.resumeWorkspace(created.id)).status).toBe("running");
    expect((await api.stopWorkspace(created.id)).status).toBe("stopped");
    await api.deleteWorkspace(created.id);
    const gone = await api.getWorkspace(created.id).catch((e) => e);
    expect(gone).toBeInstanceOf(ApiError);
    expect(gone.status).toBe(404);
  });

  it("reports validation problems with their fields, and a bad token with the API's message", async () => {
    const bad = await api
      .createWorkspace({ repositoryId: demoRepoId, name: "x", branch: "no..dots" })
      .catch((e) => e);
    expect(bad).toBeInstanceOf(ApiError);
    expect(bad.status).toBe(400);
    expect(bad.fields).toContainEqual(expect.objectContaining({ field: "body.branch" }));

    const stranger = createApiClient({ baseUrl: stack.workerUrl, token: "cwk_not-a-real-token" });
    const refused = await stranger.listRepositories().catch((e) => e);
    expect(refused).toBeInstanceOf(ApiError);
    expect(refused.status).toBe(401);
    expect(refused.message.length).toBeGreaterThan(0);

    const nowhere = createApiClient({ baseUrl: "http://127.0.0.1:9", token: "x", timeoutMs: 2000 });
    await expect(nowhere.listRepositories()).rejects.toThrow(
      /Cannot reach the API at http:\/\/127\.0\.0\.1:9/,
    );
  });

  it("joins, heartbeats and leaves a presence session", async () => {
    const joined = await api.joinSession(runningId, "desktop");
    expect(joined.heartbeatSeconds).toBeGreaterThan(0);
    await api.heartbeatSession(runningId, joined.sessionId);
    expect((await api.getWorkspace(runningId)).connectedCount).toBe(1);
    await api.leaveSession(runningId, joined.sessionId);
    await expect(api.heartbeatSession(runningId, joined.sessionId)).rejects.toMatchObject({ status: 404 });
  });

  it("holds presence over a WebSocket: connected while open, gone when left, refused for a stranger", async () => {
    const presence = await joinPresence({ api, clientType: "desktop" }, runningId);
    expect(presence.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    await eventually("connected", async () => (await api.getWorkspace(runningId)).connectedCount === 1);
    expect((await api.getWorkspace(runningId)).autoStopAt).toBeNull();
    await presence.leave();
    await eventually("left", async () => (await api.getWorkspace(runningId)).connectedCount === 0);
    expect((await api.getWorkspace(runningId)).autoStopAt).not.toBeNull();

    const stranger = createApiClient({ baseUrl: stack.workerUrl, token: "cwk_not-a-token" });
    await expect(joinPresence({ api: stranger, clientType: "desktop" }, runningId)).rejects.toThrow(
      /answered 401/,
    );
  });

  it("feeds the polling store, which shows a status change after refresh", async () => {
    const store = await createPollingStore({ api, intervalMs: 60_000, linksFile: null });
    try {
      expect(store.snapshot().connection).toBe("live");
      expect(store.snapshot().workspaces.find((w) => w.id === runningId)?.status).toBe("running");
      const seen: string[] = [];
      const off = store.subscribe((s) =>
        seen.push(s.workspaces.find((w) => w.id === runningId)?.status ?? "?"),
      );
      await api.pauseWorkspace(runningId);
      await store.refresh();
      off();
      expect(seen).toEqual(["paused"]);
      await api.resumeWorkspace(runningId);
    } finally {
      await store.close();
    }
  });
});

const WRONG_KEY = "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

describe("SSH terminal manager", { timeout: TEST_TIMEOUT_MS }, () => {
  function harness(hostKeys = memoryHostKeyStore()) {
    const output = new Map<string, string>();
    const exits = new Map<string, TerminalExit>();
    const manager = createTerminalManager({
      hostKeys,
      onData: (id, text) => output.set(id, (output.get(id) ?? "") + text),
      onExit: (id, exit) => exits.set(id, exit),
    });
    const until = (id: string, re: RegExp) =>
      eventually(`output ${re}`, async () => re.exec(output.get(id) ?? ""));
    return { manager, output, exits, until, hostKeys };
  }

  it("opens a shell, runs a command, resizes, decodes multi-byte output intact, and exits", async () => {
    const creds = await api.createSshCredentials(runningId);
    const h = harness();
    const id = await h.manager.open({ ...creds, cols: 100, rows: 30 });
    // Trust on first use: the host's key is pinned now.
    expect((await h.hostKeys.read()).hosts[hostIdOf(creds.host, creds.port)]).toMatch(/^SHA256:/);

    h.manager.write(id, "echo sum=$((6*7)); stty size\r");
    await h.until(id, /sum=42\r\n30 100/);

    h.manager.resize(id, 120, 40);
    h.manager.write(id, "stty size\r");
    await h.until(id, /40 120/);

    // 30 000 three-byte characters: SSH packets (32 KiB) split characters between chunks.
    h.manager.write(id, "echo BE''GIN; printf '€%.0s' $(seq 1 30000); echo; echo E''ND\r");
    const m = await h.until(id, /BEGIN\r\n([\s\S]*?)\r\nEND/);
    const euros = m[1]!.replace(/\r\n/g, "");
    expect(euros).not.toContain("\uFFFD");
    expect(euros).toBe("€".repeat(30000));

    h.manager.write(id, "exit 3\r");
    const exit = await eventually("exit", async () => h.exits.get(id));
    expect(exit).toEqual({ code: 3, signal: null, error: null });
    expect(h.manager.has(id)).toBe(false);
  });

  it("kills a session on close", async () => {
    const creds = await api.createSshCredentials(runningId);
    const h = harness();
    const id = await h.manager.open({ ...creds, cols: 80, rows: 24 });
    h.manager.write(id, "sleep 600\r");
    await h.until(id, /sleep 600/);
    h.manager.close(id);
    const exit = await eventually("exit after close", async () => h.exits.get(id));
    expect(exit.code).not.toBe(0);
    expect(() => h.manager.write(id, "x")).toThrow(/ended/);
  });

  it("refuses a host whose key differs from the pinned one, saying why", async () => {
    const creds = await api.createSshCredentials(runningId);
    const hostId = hostIdOf(creds.host, creds.port);
    const h = harness(memoryHostKeyStore({ hosts: { [hostId]: WRONG_KEY } }));
    const err = await h.manager.open({ ...creds, cols: 80, rows: 24 }).catch((e) => e);
    expect(err).toBeInstanceOf(HostKeyMismatchError);
    expect(err.message).toMatch(
      new RegExp(`The SSH host key of ${hostId.replace(/[.[\]]/g, "\\$&")} has changed`),
    );
    expect(h.manager.size).toBe(0);
  });

  it("reports refused credentials clearly", async () => {
    const creds = await api.createSshCredentials(runningId);
    const h = harness();
    const [vm] = creds.username.split(":");
    await expect(
      h.manager.open({ ...creds, username: `${vm}:wrong-token`, cols: 80, rows: 24 }),
    ).rejects.toThrow(/refused the credentials/);
  });
});

/** A backend on the real stack with the polling store, as main builds it with `listSource: polling`. */
function startBackend(over: Partial<BackendDeps> = {}) {
  return createDesktopBackend({
    settings: parseSettings({ apiUrl: stack.workerUrl }),
    saveSettings: async () => {},
    tokens: { ...plainFileTokenStore(join(tmp, "token")), read: async () => stack.token },
    hostKeys: memoryHostKeyStore(),
    openStore: async ({ api: a }) => ({
      store: await createPollingStore({ api: a, intervalMs: 60_000, linksFile: null }),
      source: "polling",
    }),
    ui: { openTerminalWindow: () => {}, chooseFolder: async () => null, confirmHostKey: async () => false },
    onState: () => {},
    ...over,
  });
}

describe("backend terminals hold presence", { timeout: TEST_TIMEOUT_MS }, () => {
  it("joins on open and leaves on close, sending output only to the caller", async () => {
    const events: [string, unknown][] = [];
    const backend = await startBackend();
    try {
      expect(backend.state()).toMatchObject({
        configured: true,
        tokenStorage: "plain-file",
        listSource: "polling",
      });
      const caller = { id: 7, emit: (ch: string, p: unknown) => events.push([ch, p]) };
      const info = await backend.openTerminal(caller, { workspaceId: runningId, cols: 80, rows: 24 });
      expect(info.workspace).toMatchObject({ id: runningId, name: "core-shared" });
      expect((await api.getWorkspace(runningId)).connectedCount).toBe(1);
      // Another window cannot drive this terminal.
      expect(() => backend.terminalWrite({ id: 8, emit: () => {} }, info.terminalId, "x")).toThrow(/ended/);

      backend.terminalWrite(caller, info.terminalId, "echo from-backend\r");
      await eventually("data event", async () =>
        events.some(
          ([ch, p]) =>
            ch === eventChannels.terminalData &&
            String((p as { data: string }).data).includes("from-backend"),
        ),
      );
      backend.terminalClose(caller, info.terminalId);
      const exit = await eventually("exit event", async () =>
        events.find(([ch]) => ch === eventChannels.terminalExit),
      );
      expect((exit[1] as TerminalExitEvent).terminalId).toBe(info.terminalId);
      await eventually("presence left", async () => (await api.getWorkspace(runningId)).connectedCount === 0);

      // "Keep alive" holds a session (so autoStopAt is null) until it expires or the app quits.
      await backend.keepAlive(runningId);
      expect(await api.getWorkspace(runningId)).toMatchObject({ connectedCount: 1, autoStopAt: null });
    } finally {
      await backend.close();
    }
    await eventually(
      "keep-alive left on close",
      async () => (await api.getWorkspace(runningId)).connectedCount === 0,
    );
  });
});

describe("backend host keys per workspace VM", { timeout: TEST_TIMEOUT_MS }, () => {
  /** Opens and closes one terminal on the shared workspace; what the user was asked, and the pins after. */
  async function openWith(hostKeys: HostKeyStore, answer: boolean) {
    const asked: { workspaceName: string; detail: string }[] = [];
    const backend = await startBackend({
      hostKeys,
      ui: {
        openTerminalWindow: () => {},
        chooseFolder: async () => null,
        confirmHostKey: async (change) => {
          asked.push(change);
          return answer;
        },
      },
    });
    const caller = { id: 1, emit: () => {} };
    try {
      const opened = await backend.openTerminal(caller, { workspaceId: runningId, cols: 80, rows: 24 }).then(
        (info) => {
          backend.terminalClose(caller, info.terminalId);
          return null;
        },
        (err: Error) => err,
      );
      return { error: opened, asked, pins: await hostKeys.read() };
    } finally {
      await backend.close();
    }
  }

  it("pins the VM on first use, and asks before trusting it at another host or with another key", async () => {
    const ws = await api.getWorkspace(runningId);
    const vm = `${ws.providerType}:${ws.providerVmId}`;
    const creds = await api.createSshCredentials(runningId);
    const host = hostIdOf(creds.host, creds.port);

    const first = await openWith(memoryHostKeyStore(), false);
    expect(first).toMatchObject({ error: null, asked: [] });
    const key = first.pins.vms[vm]!;
    expect(key).toEqual({ host, fingerprint: expect.stringMatching(/^SHA256:/) });
    expect(first.pins.hosts[host]).toBe(key.fingerprint);

    // The VM was pinned elsewhere: the API sending it to this host is a change, even with the same key.
    const moved = { hosts: {}, vms: { [vm]: { host: "[::1]:2200", fingerprint: key.fingerprint } } };
    const declined = await openWith(memoryHostKeyStore(moved), false);
    expect(declined.asked).toEqual([
      {
        workspaceName: "core-shared",
        detail: expect.stringContaining(`The VM ${vm} answered at [::1]:2200`),
      },
    ]);
    expect(declined.error).toBeInstanceOf(HostKeyMismatchError);
    expect(declined.pins).toEqual(moved);
    expect((await api.getWorkspace(runningId)).connectedCount).toBe(0);

    // Another key for the known VM, accepted: connected, and exactly the offered key pinned.
    const rekeyed = { hosts: { [host]: WRONG_KEY }, vms: { [vm]: { host, fingerprint: WRONG_KEY } } };
    const accepted = await openWith(memoryHostKeyStore(rekeyed), true);
    expect(accepted.asked).toEqual([
      {
        workspaceName: "core-shared",
        detail: expect.stringContaining(`The SSH host key of ${host} has changed`),
      },
    ]);
    expect(accepted.error).toBeNull();
    expect(accepted.pins).toEqual({ hosts: { [host]: key.fingerprint }, vms: { [vm]: key } });
  });
});

describe("enable cloud for a local worktree", { timeout: TEST_TIMEOUT_MS }, () => {
  it("registers the origin, creates the workspace for a pushed branch and links the folder", async () => {
    const { clone } = originAndClone(join(tmp, "pushed"));
    git(clone, "checkout", "-q", "-b", "topic");
    commit(clone, "topic.txt", "topic\n");
    git(clone, "push", "-q", "-u", "origin", "topic");

    const info = await inspectWorktree(clone);
    expect(info).toMatchObject({ branch: "topic", headSha: git(clone, "rev-parse", "HEAD") });

    const linksFile = join(tmp, "links", "links.json");
    const store = await createPollingStore({ api, intervalMs: 60_000, linksFile });
    try {
      const result = await enableCloud(
        { api, links: storeLinks(store) },
        { path: clone, autoStopMinutes: 10 },
      );
      expect(result.repositoryCreated).toBe(true);
      const repo = (await api.listRepositories()).items.find((r) => r.id === result.repositoryId);
      expect(repo?.cloneUrl).toBe(`file://${join(tmp, "pushed", "origin.git")}`);
      expect(store.snapshot().links).toEqual([
        { worktreePath: clone, cloudWorkspaceId: result.workspaceId, cloudSyncEnabled: true },
      ]);
      // Links are the user's alone, like everything the app writes.
      expect(statSync(linksFile).mode & 0o777).toBe(0o600);
      expect(statSync(join(tmp, "links")).mode & 0o777).toBe(0o700);
      const ws = await eventually("cloud copy running", async () => {
        const w = await api.getWorkspace(result.workspaceId);
        return w.status === "running" ? w : null;
      });
      expect(ws).toMatchObject({ branch: "topic", autoStopMinutes: 10 });

      // The same folder again: refused while its workspace exists.
      await store.refresh();
      await expect(
        enableCloud({ api, links: storeLinks(store) }, { path: clone, autoStopMinutes: 10 }),
      ).rejects.toThrow(/already has a cloud workspace/);
      // Another branch of the same origin reuses the registered repository.
      git(clone, "checkout", "-q", "main");
      const unlinked = { ...storeLinks(store), linkedWorkspace: () => null };
      const second = await enableCloud({ api, links: unlinked }, { path: clone, autoStopMinutes: 10 });
      expect(second).toMatchObject({ repositoryId: result.repositoryId, repositoryCreated: false });
    } finally {
      await store.close();
    }
  });

  it("refuses unpushed branches, unpushed commits and folders that are not repositories", async () => {
    const { clone } = originAndClone(join(tmp, "unpushed"));
    commit(clone, "local.txt", "only here\n");
    await expect(inspectWorktree(clone)).rejects.toThrow(
      '1 commit is on "main" but not on origin; push first',
    );

    git(clone, "checkout", "-q", "-b", "never-pushed");
    await expect(inspectWorktree(clone)).rejects.toThrow(
      'Branch "never-pushed" is not pushed to origin yet; push it first (git push -u origin never-pushed)',
    );

    const plain = join(tmp, "plain-folder");
    git(tmp, "init", "-q", plain);
    rmSync(join(plain, ".git"), { recursive: true });
    await expect(inspectWorktree(plain)).rejects.toThrow(`${plain} is not a git repository`);
    await expect(inspectWorktree(join(tmp, "missing"))).rejects.toThrow(/does not exist/);
  });

  it("never runs what the folder's git config names: hooks, fsmonitor, upload-pack, ssh, filters, transports", async () => {
    const { clone } = originAndClone(join(tmp, "hostile"));
    const head = git(clone, "rev-parse", "HEAD");
    const markers = join(tmp, "hostile", "markers");
    mkdirSync(markers);
    const touch = (name: string) => `touch ${join(markers, name)}`;
    const hooks = join(tmp, "hostile", "hooks");
    mkdirSync(hooks);
    for (const hook of [
      "pre-commit",
      "post-checkout",
      "reference-transaction",
      "pre-auto-gc",
      "post-index-change",
    ])
      writeFileSync(join(hooks, hook), `#!/bin/sh\n${touch(`hook-${hook}`)}\n`, { mode: 0o755 });
    writeFileSync(join(clone, ".gitattributes"), "* filter=evil diff=evil\n");
    const hostile = {
      "core.fsmonitor": touch("fsmonitor"),
      "core.hooksPath": hooks,
      "core.sshCommand": touch("ssh-command"),
      "core.gitProxy": touch("git-proxy"),
      "core.pager": touch("pager"),
      "core.askPass": touch("askpass"),
      "credential.helper": `!${touch("credential")}`,
      "remote.origin.uploadpack": `${touch("uploadpack")}; git-upload-pack`,
      "remote.origin.receivepack": `${touch("receivepack")}; git-receive-pack`,
      "filter.evil.clean": touch("filter-clean"),
      "filter.evil.smudge": touch("filter-smudge"),
      "filter.evil.process": touch("filter-process"),
      "diff.evil.textconv": touch("textconv"),
      "diff.external": touch("diff-external"),
      "gpg.program": touch("gpg"),
      "log.showSignature": "true",
      "protocol.ext.allow": "always",
      "protocol.allow": "always",
    };
    for (const [key, value] of Object.entries(hostile)) git(clone, "config", key, value);

    const info = await inspectWorktree(clone);
    expect(info).toMatchObject({ path: clone, branch: "main", headSha: head });
    const links = { linkedWorkspace: () => null, link: async () => {} };
    const result = await enableCloud({ api, links }, { path: clone, autoStopMinutes: 10 });
    expect(result.repositoryCreated).toBe(true);
    expect(readdirSync(markers)).toEqual([]);

    // An origin that is itself a command (git's ext:: transport, which the config allows): refused, not run.
    git(clone, "config", "remote.origin.url", `ext::sh -c ${touch("ext-transport").replace(/ /g, "% ")}`);
    await expect(inspectWorktree(clone)).rejects.toThrow(/Cannot reach origin .*transport 'ext' not allowed/);
    expect(readdirSync(markers)).toEqual([]);
  });
});
