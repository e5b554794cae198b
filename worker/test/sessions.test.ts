import { beforeAll, describe, expect, it } from "vitest";
import { sharedDatabase } from "./support/database.ts";
import { createRunning, type Org, setupOrg } from "./support/org.ts";

let a: Org;
let b: Org;

beforeAll(async () => {
  const { env } = sharedDatabase();
  a = await setupOrg(env, "sess-a");
  b = await setupOrg(env, "sess-b");
});

describe("sessions", () => {
  it("join → heartbeat → list → leave", async () => {
    const ws = await createRunning(a, "presence");
    const joined = await a.api("POST", `/v1/workspaces/${ws.id}/sessions`, { clientType: "desktop" });
    expect(joined.status).toBe(201);
    expect(joined.body).toEqual({ sessionId: expect.any(String), heartbeatSeconds: 30 });
    const { sessionId } = joined.body;

    const listed = await a.api("GET", `/v1/workspaces/${ws.id}/sessions`);
    expect(listed.body.items).toEqual([
      expect.objectContaining({ id: sessionId, userId: a.userId, clientType: "desktop" }),
    ]);

    const beat = await a.api("POST", `/v1/workspaces/${ws.id}/sessions/${sessionId}/heartbeat`);
    expect(beat.status).toBe(204);
    const after = await a.api("GET", `/v1/workspaces/${ws.id}`);
    expect(Date.parse(after.body.lastActiveAt)).toBeGreaterThanOrEqual(Date.parse(ws.lastActiveAt));

    expect((await a.api("DELETE", `/v1/workspaces/${ws.id}/sessions/${sessionId}`)).status).toBe(204);
    expect((await a.api("GET", `/v1/workspaces/${ws.id}/sessions`)).body.items).toEqual([]);
    expect((await a.api("POST", `/v1/workspaces/${ws.id}/sessions/${sessionId}/heartbeat`)).status).toBe(404);
    expect((await a.api("DELETE", `/v1/workspaces/${ws.id}/sessions/${sessionId}`)).status).toBe(404);
  });

  it("validates clientType and ids", async () => {
    const ws = await createRunning(a, "validate");
    const bad = await a.api("POST", `/v1/workspaces/${ws.id}/sessions`, { clientType: "tv" });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe("body.clientType");
    const badId = await a.api("POST", `/v1/workspaces/${ws.id}/sessions/nope/heartbeat`);
    expect(badId.status).toBe(400);
    expect(badId.body.errors[0].field).toBe("path.sessionId");
  });

  it("keeps other organizations out", async () => {
    const ws = await createRunning(a, "private-presence");
    const joined = await a.api("POST", `/v1/workspaces/${ws.id}/sessions`, { clientType: "web" });
    const path = `/v1/workspaces/${ws.id}/sessions/${joined.body.sessionId}`;
    expect((await b.api("POST", `${path}/heartbeat`)).status).toBe(404);
    expect((await b.api("DELETE", path)).status).toBe(404);
    expect((await a.api("GET", `/v1/workspaces/${ws.id}/sessions`)).body.items).toHaveLength(1);
  });
});
