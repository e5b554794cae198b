import { env, evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { schema } from "@cw/db";
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { openDb, sharedDatabase } from "./support/database.ts";
import { createRunning, type Org, setupOrg } from "./support/org.ts";

let org: Org;
const bindings = () => sharedDatabase().env;

beforeAll(async () => {
  org = await setupOrg(bindings(), "presence");
});

const ns = () => env.WORKSPACE_PRESENCE;
const stubFor = (workspaceId: string) => ns().get(ns().idFromName(workspaceId));

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
    const { sessionId } = await stub.join(ws.id, org.userId, "desktop");
    // Age the session past three missed heartbeats inside the object's own storage.
    await runInDurableObject(stub, async (_instance, state) => {
      state.storage.sql.exec(
        "update sessions set last_heartbeat_at = ? where id = ?",
        Date.now() - 91_000,
        sessionId,
      );
      await state.storage.setAlarm(Date.now());
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await stub.liveCount()).toBe(0);
    const m = await mirror(ws.id);
    expect(m.ws.connectedCount).toBe(0);
    expect(m.sessions).toEqual([]);
  });

  it("keeps sessions across eviction (state in storage, not memory)", async () => {
    const ws = await createRunning(org, "p-evict");
    const first = stubFor(ws.id);
    const { sessionId } = await first.join(ws.id, org.userId, "desktop");
    await evictDurableObject(first);
    const again = stubFor(ws.id);
    const sessions = await again.sessions();
    expect(sessions.map((s) => s.id)).toEqual([sessionId]);
    expect(await again.heartbeat(ws.id, sessionId, org.userId)).toBe(true);
  });

  it("refuses heartbeats and leaves for someone else's session", async () => {
    const ws = await createRunning(org, "p-other");
    const stub = stubFor(ws.id);
    const { sessionId } = await stub.join(ws.id, org.userId, "desktop");
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

  it("keeps the client type of a socket: `cw`'s SSH connections hold presence as cli", async () => {
    const ws = await createRunning(org, "p-cli");
    const res = await org.api("GET", `/v1/workspaces/${ws.id}/presence?clientType=cli`, undefined, {
      headers: { upgrade: "websocket" },
      raw: true,
    });
    expect(res.status).toBe(101);
    const socket = res.webSocket!;
    socket.accept();
    await new Promise((resolve) => socket.addEventListener("message", resolve));
    expect((await org.api("GET", `/v1/workspaces/${ws.id}/sessions`)).body.items).toEqual([
      expect.objectContaining({ userId: org.userId, clientType: "cli" }),
    ]);
    const { sessions } = await mirror(ws.id);
    expect(sessions.map((s) => s.clientType)).toEqual(["cli"]);
    socket.close(1000, "bye");
    await expect.poll(async () => (await mirror(ws.id)).ws.connectedCount, { timeout: 5000 }).toBe(0);
  });

  it("rejects a presence request that is not a WebSocket upgrade", async () => {
    const ws = await createRunning(org, "p-no-upgrade");
    const res = await org.api("GET", `/v1/workspaces/${ws.id}/presence`);
    expect(res.status).toBe(426);
    expect(res.body.errors[0].field).toBe("header.Upgrade");
  });
});
