import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer, type Server, Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ApiClient, createApiClient } from "@cw/contracts/client";
import { startTestStack, type TestStack } from "@cw/testing/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWorkspaceSync } from "../src/core/sync/index.ts";
import type { StoreSnapshot, WorkspaceStore } from "../src/core/workspace-store.ts";
import { PATIENCE_MS, TEST_TIMEOUT_MS } from "./support/patience.ts";

/**
 * The desktop store against the real local stack (PostgreSQL with the shape_log triggers, the worker
 * under wrangler dev serving GET /v1/shape from its built-in source, the local VM host).
 */
let stack: TestStack;
let api: ApiClient;
let dir: string;
let repositoryId: string;
const stores: WorkspaceStore[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "cw-sync-"));
  stack = await startTestStack("cw-sync-stack-");
  api = createApiClient({ baseUrl: stack.workerUrl, token: stack.token });
  repositoryId = (await api.listRepositories()).items[0]!.id;
}, TEST_TIMEOUT_MS);

afterAll(async () => {
  for (const s of stores) await s.close();
  await stack?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function createWorkspace(name: string): Promise<string> {
  const created = await api.createWorkspace({ repositoryId, name, branch: "main" });
  expect(created.status).toBe("provisioning");
  return created.id;
}

/** A fetch that records the shape requests' URLs. */
function recordingFetch() {
  const urls: URL[] = [];
  const f = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (url.pathname === "/v1/shape") urls.push(url);
    return fetch(input, init);
  }) as typeof fetch;
  return { fetch: f, urls };
}

async function open(file: string, opts: { apiUrl?: string; fetch?: typeof fetch } = {}) {
  const store = await createWorkspaceSync({
    apiUrl: opts.apiUrl ?? stack.workerUrl,
    token: stack.token,
    file,
    fetch: opts.fetch,
    backoff: { initialDelayMs: 100, maxDelayMs: 400 },
    log: () => {},
  });
  stores.push(store);
  return store;
}

function waitFor(store: WorkspaceStore, check: (s: StoreSnapshot) => boolean, timeoutMs = PATIENCE_MS) {
  return new Promise<StoreSnapshot>((resolve, reject) => {
    const now = store.snapshot();
    if (check(now)) return resolve(now);
    const timer = setTimeout(() => {
      off();
      reject(new Error(`timed out; last: ${JSON.stringify(store.snapshot()).slice(0, 400)}`));
    }, timeoutMs);
    const off = store.subscribe((s) => {
      if (!check(s)) return;
      clearTimeout(timer);
      off();
      resolve(s);
    });
  });
}

const named = (s: StoreSnapshot, name: string) => s.workspaces.find((w) => w.name === name);

function readStored(file: string) {
  return JSON.parse(readFileSync(file, "utf8")) as {
    position: { handle: string; offset: string } | null;
    rows: { key: string; row: { name: string; status: string } }[];
    links: unknown[];
  };
}

describe("workspace store", { timeout: TEST_TIMEOUT_MS }, () => {
  const file = () => join(dir, "store.json");

  it("syncs the organization's workspaces live and persists rows with the shape handle and offset", async () => {
    const store = await open(file());
    expect(store.snapshot()).toMatchObject({ workspaces: [], connection: "connecting", lastUpdatedAt: null });
    const id = await createWorkspace("sync-one");
    const seen = await waitFor(store, (s) => named(s, "sync-one") !== undefined && s.connection === "live");
    expect(named(seen, "sync-one")).toMatchObject({ id, branch: "main", connectedCount: 0 });
    expect(Date.parse(seen.lastUpdatedAt!)).toBeGreaterThan(Date.now() - 60_000);
    // Provisioning finishes in the background: a live update.
    const running = await waitFor(store, (s) => named(s, "sync-one")?.status === "running");
    expect(named(running, "sync-one")!.autoStopAt).toMatch(/Z$/);
    await store.close();

    const stored = readStored(file());
    // The store is the user's alone, like everything the app writes.
    expect(statSync(file()).mode & 0o777).toBe(0o600);
    expect(stored.position?.handle).toBeTruthy();
    expect(stored.position?.offset).toMatch(/^\d+_\d+$/);
    expect(stored.rows.map((r) => r.row.name)).toContain("sync-one");
  });

  it("shows stored rows at once and resumes from the stored offset without a full refetch", async () => {
    const before = readStored(file());
    const id = (before.rows.find((r) => r.row.name === "sync-one")!.row as unknown as { id: string }).id;
    expect((await api.updateWorkspace(id, { name: "sync-renamed" })).name).toBe("sync-renamed");

    const rec = recordingFetch();
    const store = await open(file(), { fetch: rec.fetch });
    expect(named(store.snapshot(), "sync-one")).toBeDefined(); // from disk, before any answer
    await waitFor(store, (s) => named(s, "sync-renamed") !== undefined);
    expect(rec.urls[0]!.searchParams.get("offset")).toBe(before.position!.offset);
    expect(rec.urls[0]!.searchParams.get("handle")).toBe(before.position!.handle);
    expect(rec.urls.some((u) => u.searchParams.get("offset") === "-1")).toBe(false);
    await store.close();
  });

  it("on must-refetch (a handle the server no longer honours) starts over and drops stale rows", async () => {
    const stale = readStored(file());
    const ghost = {
      ...stale.rows[0]!,
      key: "ghost",
      row: { ...stale.rows[0]!.row, id: "ghost", name: "ghost" },
    };
    const tampered = join(dir, "tampered.json");
    writeFileSync(
      tampered,
      JSON.stringify({
        ...stale,
        position: { handle: "0000000000000000-x-00000000", offset: stale.position!.offset },
        rows: [...stale.rows, ghost],
      }),
    );
    const rec = recordingFetch();
    const store = await open(tampered, { fetch: rec.fetch });
    expect(named(store.snapshot(), "ghost")).toBeDefined();
    const after = await waitFor(store, (s) => s.connection === "live" && !named(s, "ghost"));
    expect(named(after, "sync-renamed")).toBeDefined();
    expect(rec.urls.some((u) => u.searchParams.get("offset") === "-1")).toBe(true);
    await store.close();
    expect(readStored(tampered).position!.handle).not.toBe("0000000000000000-x-00000000");
  });

  it("goes offline when the server is unreachable and live again, with what changed, when it is back", async () => {
    const relay = await tcpRelay(new URL(stack.workerUrl));
    const store = await open(join(dir, "offline.json"), { apiUrl: relay.url });
    await waitFor(store, (s) => s.connection === "live" && named(s, "sync-renamed") !== undefined);

    await relay.stop();
    await waitFor(store, (s) => s.connection === "offline");
    const id = store.snapshot().workspaces.find((w) => w.name === "sync-renamed")!.id;
    expect((await api.updateWorkspace(id, { name: "changed-while-offline" })).name).toBe(
      "changed-while-offline",
    );
    await new Promise((r) => setTimeout(r, 500));
    expect(store.snapshot().connection).toBe("offline"); // still refused

    await relay.start();
    const back = await waitFor(
      store,
      (s) => s.connection === "live" && named(s, "changed-while-offline") !== undefined,
    );
    expect(back.lastUpdatedAt).not.toBeNull();
    await store.close();
    await relay.stop();
  });

  it("keeps worktree links in the same file, across restarts, and refuses malformed ones", async () => {
    const linksFile = join(dir, "links.json");
    const store = await open(linksFile);
    const ws = (await waitFor(store, (s) => s.workspaces.length > 0)).workspaces[0]!;
    await store.setLink({ worktreePath: "/src/a", cloudWorkspaceId: ws.id, cloudSyncEnabled: true });
    await store.setLink({ worktreePath: "/src/b", cloudWorkspaceId: ws.id, cloudSyncEnabled: false });
    await store.setLink({ worktreePath: "/src/a", cloudWorkspaceId: ws.id, cloudSyncEnabled: false });
    await store.removeLink("/src/b");
    await expect(
      store.setLink({ worktreePath: "", cloudWorkspaceId: ws.id, cloudSyncEnabled: true }),
    ).rejects.toThrow();
    await store.close();

    const reopened = await open(linksFile);
    expect(reopened.snapshot().links).toEqual([
      { worktreePath: "/src/a", cloudWorkspaceId: ws.id, cloudSyncEnabled: false },
    ]);
    await reopened.close();
  });

  it("starts from scratch on an unreadable file, keeping links that still parse", async () => {
    const broken = join(dir, "broken.json");
    writeFileSync(
      broken,
      JSON.stringify({
        version: 99,
        rows: "nope",
        links: [{ worktreePath: "/w", cloudWorkspaceId: "x", cloudSyncEnabled: true }],
      }),
    );
    const store = await open(broken);
    expect(store.snapshot().workspaces).toEqual([]);
    expect(store.snapshot().links).toHaveLength(1);
    await waitFor(store, (s) => s.connection === "live" && named(s, "changed-while-offline") !== undefined);
    await store.close();
    writeFileSync(broken, "{ not json");
    const again = await open(broken);
    await waitFor(again, (s) => s.connection === "live" && s.workspaces.length > 0);
    await again.close();
  });
});

/** A TCP relay to the worker that can be stopped (connections refused) and started on the same port. */
async function tcpRelay(target: URL) {
  const sockets = new Set<Socket>();
  let server: Server | null = null;
  let port = 0;
  const start = () =>
    new Promise<void>((resolve) => {
      server = createServer((client) => {
        const upstream = new Socket();
        sockets.add(client).add(upstream);
        upstream.connect(Number(target.port), target.hostname);
        client.pipe(upstream).pipe(client);
        const drop = () => {
          client.destroy();
          upstream.destroy();
          sockets.delete(client);
          sockets.delete(upstream);
        };
        client.on("error", drop).on("close", drop);
        upstream.on("error", drop).on("close", drop);
      });
      server.listen(port, "127.0.0.1", () => {
        port = (server!.address() as { port: number }).port;
        resolve();
      });
    });
  await start();
  return {
    url: `http://127.0.0.1:${port}`,
    start,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        sockets.clear();
        if (!server) return resolve();
        server.close(() => resolve());
        server = null;
      }),
  };
}
