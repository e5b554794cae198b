import { env, evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { schema } from "@cw/db";
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { SOCKET_AUDIT_MS } from "../src/domain/presence.ts";
import { apiClient } from "./support/api.ts";
import { openDb, sharedDatabase } from "./support/database.ts";
import { createRunning, type Org, setupOrg } from "./support/org.ts";
import { workspaceRows } from "./support/shape-rows.ts";

let org: Org;
const bindings = () => sharedDatabase().env;

beforeAll(async () => {
  org = await setupOrg(bindings(), "presence");
});

const ns = () => env.WORKSPACE_PRESENCE;
const stubFor = (workspaceId: string) => ns().get(ns().idFromName(workspaceId));

/** Ages a session past three missed heartbeats inside the object's own storage, then does `then`. */
async function ageSession(
  stub: ReturnType<typeof stubFor>,
  sessionId: string,
  then: (state: DurableObjectState) => Promise<void>,
) {
  await runInDurableObject(stub, async (_instance, state) => {
    state.storage.sql.exec(
      "update sessions set last_heartbeat_at = ? where id = ?",
      Date.now() - 91_000,
      sessionId,
    );
    await then(state);
  });
}

/** Joins through the object itself; a full workspace fails the test. */
async function join(stub: ReturnType<typeof stubFor>, workspaceId: string) {
  const joined = await stub.join(workspaceId, org.userId, "desktop");
  if ("full" in joined) throw new Error("the workspace is full");
  return joined;
}

async function mirror(workspaceId: string) {
  const db = openDb(bindings());
  try {
    const [ws] = await db.db
      .select()
      .from(schema.cloudWorkspaces)
      .where(eq(schema.cloudWorkspaces.id, workspaceId));
    const sessions = await db.db
      .select()
      .from(schema.cloudWorkspaceSessions)
      .where(eq(schema.cloudWorkspaceSessions.workspaceId, workspaceId));
    return { ws: ws!, sessions };
  } finally {
    await db.close();
  }
}

describe("workspace presence Durable Object", () => {
  it("join, heartbeat and leave through the API are written through to Postgres", async () => {
    const ws = await createRunning(org, "p-basic");
    expect(ws.autoStopAt).not.toBeNull();
    const joined = await org.api("POST", `/v1/workspaces/${ws.id}/sessions`, { clientType: "desktop" });
    let m = await mirror(ws.id);
    expect(m.ws.connectedCount).toBe(1);
    expect(m.ws.autoStopAt).toBeNull();
    expect(m.sessions.map((s) => s.id)).toEqual([joined.body.sessionId]);
    const view = await org.api("GET", `/v1/workspaces/${ws.id}`);
    expect(view.body).toMatchObject({ connectedCount: 1, autoStopAt: null });

    await org.api("DELETE", `/v1/workspaces/${ws.id}/sessions/${joined.body.sessionId}`);
    m = await mirror(ws.id);
    expect(m.ws.connectedCount).toBe(0);
    expect(m.sessions).toEqual([]);
    expect(m.ws.autoStopAt).not.toBeNull();
  });

  it("batches heartbeats to Postgres through its alarm", async () => {
    const ws = await createRunning(org, "p-beat");
    const { sessionId } = (await org.api("POST", `/v1/workspaces/${ws.id}/sessions`, { clientType: "web" }))
      .body;
    const before = (await mirror(ws.id)).sessions[0]!.lastHeartbeatAt;
    await new Promise((r) => setTimeout(r, 20));
    expect((await org.api("POST", `/v1/workspaces/${ws.id}/sessions/${sessionId}/heartbeat`)).status).toBe(
      204,
    );
    // Not yet written: the alarm does it.
    expect((await mirror(ws.id)).sessions[0]!.lastHeartbeatAt).toEqual(before);
    expect(await runDurableObjectAlarm(stubFor(ws.id))).toBe(true);
    expect((await mirror(ws.id)).sessions[0]!.lastHeartbeatAt.getTime()).toBeGreaterThan(before.getTime());
  });

  it("expires a session that stops heartbeating, by alarm, and mirrors it", async () => {
    const ws = await createRunning(org, "p-expire");
    const stub = stubFor(ws.id);
    const { sessionId } = await join(stub, ws.id);
    await ageSession(stub, sessionId, async (state) => state.storage.setAlarm(Date.now()));
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await stub.liveCount()).toBe(0);
    const m = await mirror(ws.id);
    expect(m.ws.connectedCount).toBe(0);
    expect(m.sessions).toEqual([]);
  });

  it("keeps sessions across eviction (state in storage, not memory)", async () => {
    const ws = await createRunning(org, "p-evict");
    const first = stubFor(ws.id);
    const { sessionId } = await join(first, ws.id);
    await evictDurableObject(first);
    const again = stubFor(ws.id);
    const sessions = await again.sessions();
    expect(sessions.map((s) => s.id)).toEqual([sessionId]);
    expect(await again.heartbeat(ws.id, sessionId, org.userId)).toBe(true);
  });

  it("refuses heartbeats and leaves for someone else's session", async () => {
    const ws = await createRunning(org, "p-other");
    const stub = stubFor(ws.id);
    const { sessionId } = await join(stub, ws.id);
    expect(await stub.heartbeat(ws.id, sessionId, crypto.randomUUID())).toBe(false);
    expect(await stub.leave(ws.id, sessionId, crypto.randomUUID())).toBe(false);
    expect(await stub.liveCount()).toBe(1);
  });

  it("counts an open WebSocket as a live session until it closes", async () => {
    const ws = await createRunning(org, "p-socket");
    const res = await org.api("GET", `/v1/workspaces/${ws.id}/presence?clientType=desktop`, undefined, {
      headers: { upgrade: "websocket" },
      raw: true,
    });
    expect(res.status).toBe(101);
    const socket = res.webSocket!;
    socket.accept();
    const joined = await new Promise<string>((resolve) =>
      socket.addEventListener("message", (e) => resolve(String(e.data))),
    );
    expect(JSON.parse(joined)).toMatchObject({ type: "joined" });
    expect((await mirror(ws.id)).ws.connectedCount).toBe(1);
    // No heartbeats, and still live long after three intervals would have passed for HTTP.
    await runInDurableObject(stubFor(ws.id), async (_i, state) => {
      state.storage.sql.exec("update sessions set last_heartbeat_at = 0");
    });
    expect(await stubFor(ws.id).liveCount()).toBe(1);

    socket.close(1000, "bye");
    await expect.poll(async () => (await mirror(ws.id)).ws.connectedCount, { timeout: 5000 }).toBe(0);
  });

  it("rejects a presence request that is not a WebSocket upgrade", async () => {
    const ws = await createRunning(org, "p-no-upgrade");
    const res = await org.api("GET", `/v1/workspaces/${ws.id}/presence`);
    expect(res.status).toBe(426);
    expect(res.body.errors[0].field).toBe("header.Upgrade");
  });

  it("expires overdue sessions when counting, even before its alarm has run", async () => {
    const ws = await createRunning(org, "p-overdue");
    const stub = stubFor(ws.id);
    const { sessionId } = await join(stub, ws.id);
    // As if the alarm were late: it has not run, and will not before the count.
    await ageSession(stub, sessionId, async (state) => state.storage.deleteAlarm());
    expect(await stub.liveCount()).toBe(0);
    expect((await mirror(ws.id)).ws.connectedCount).toBe(0);
  });
});

describe("presence sockets lose their reason to exist", () => {
  /** Opens a presence socket as `token`; resolves its close event when one comes. */
  async function openSocket(workspaceId: string, token: string) {
    const res = await apiClient(bindings(), token)(
      "GET",
      `/v1/workspaces/${workspaceId}/presence?clientType=desktop`,
      undefined,
      { headers: { upgrade: "websocket" }, raw: true },
    );
    expect(res.status).toBe(101);
    const socket = res.webSocket!;
    const closed = new Promise<{ code: number; reason: string }>((resolve) =>
      socket.addEventListener("close", (e) => resolve({ code: e.code, reason: e.reason })),
    );
    socket.accept();
    await new Promise((resolve) => socket.addEventListener("message", resolve, { once: true }));
    return { socket, closed };
  }

  /** Runs the object's audit now, as its alarm would within SOCKET_AUDIT_MS. */
  async function auditNow(workspaceId: string) {
    const stub = stubFor(workspaceId);
    const dueAt = await runInDurableObject(stub, async (_i, state) => {
      const alarm = await state.storage.getAlarm();
      state.storage.sql.exec("update meta set value = ? where key = 'auditDueAt'", String(Date.now()));
      await state.storage.setAlarm(Date.now());
      return alarm;
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    return dueAt;
  }

  const newToken = async (name: string) => (await org.api("POST", "/v1/tokens", { name })).body;

  it("closes a socket whose API token is deleted (4001), and only that one, within a minute", async () => {
    const ws = await createRunning(org, "p-token");
    const doomed = await newToken("socket-doomed");
    const kept = await newToken("socket-kept");
    const opened = Date.now();
    const a = await openSocket(ws.id, doomed.token);
    const b = await openSocket(ws.id, kept.token);
    expect((await mirror(ws.id)).ws.connectedCount).toBe(2);
    await org.api("DELETE", `/v1/tokens/${doomed.id}`);

    const alarmAt = await auditNow(ws.id);
    // The audit was already due within SOCKET_AUDIT_MS of the socket opening: well within a minute.
    expect(alarmAt).not.toBeNull();
    expect(alarmAt! - opened).toBeLessThanOrEqual(SOCKET_AUDIT_MS + 1000);
    expect(await a.closed).toMatchObject({ code: 4001 });
    expect(await stubFor(ws.id).liveCount()).toBe(1);
    expect((await mirror(ws.id)).ws.connectedCount).toBe(1);
    expect(b.socket.readyState).toBe(WebSocket.OPEN);
    b.socket.close(1000, "done");
  });

  it("closes a socket whose token expired", async () => {
    const ws = await createRunning(org, "p-expired-token");
    const t = await newToken("socket-expiring");
    const s = await openSocket(ws.id, t.token);
    const db = openDb(bindings());
    await db.db
      .update(schema.apiTokens)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(schema.apiTokens.id, t.id));
    await db.close();
    await auditNow(ws.id);
    expect(await s.closed).toMatchObject({ code: 4001 });
  });

  it("closes every socket at once when the workspace is deleted (4004)", async () => {
    const ws = await createRunning(org, "p-deleted");
    const s = await openSocket(ws.id, org.token);
    expect((await org.api("DELETE", `/v1/workspaces/${ws.id}`)).status).toBe(204);
    expect(await s.closed).toMatchObject({ code: 4004 });
    expect(await stubFor(ws.id).liveCount()).toBe(0);
  });

  it("closes sockets of a workspace removed behind its back, at the next audit", async () => {
    const ws = await createRunning(org, "p-vanished");
    const s = await openSocket(ws.id, org.token);
    await workspaceRows(bindings()).remove(ws.id);
    await auditNow(ws.id);
    expect(await s.closed).toMatchObject({ code: 4004 });
  });

  it("closes a socket that lived its maximum life (4000), so its client reconnects and authenticates again", async () => {
    const ws = await createRunning(org, "p-old");
    const s = await openSocket(ws.id, org.token);
    await runInDurableObject(stubFor(ws.id), async (_i, state) => {
      state.storage.sql.exec("update sessions set connected_at = ?", Date.now() - 12 * 3600_000 - 1000);
    });
    await auditNow(ws.id);
    expect(await s.closed).toMatchObject({ code: 4000 });
    expect((await mirror(ws.id)).ws.connectedCount).toBe(0);
  });
});
