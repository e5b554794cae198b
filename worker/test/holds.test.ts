import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { parseShapeRow } from "@cw/contracts";
import { beforeAll, describe, expect, it } from "vitest";
import { sharedDatabase } from "./support/database.ts";
import { createRunning, type Org, setupOrg } from "./support/org.ts";
import { type Row, SHAPE_URL, Shape, ShapeStream, workerFetch } from "./support/shape-client.ts";
import { workspaceRows } from "./support/shape-rows.ts";

/**
 * Holds through the API: create, list, release and their refusals; what they do to the row's
 * `presence`, the API's `activity` and the synced row; and the events of sessions and holds, each
 * once with its actor. Holds live in the presence object, so this file uses the workers' database.
 */
let org: Org;
let other: Org;
let me: { user: { name: string; email: string }; token: { id: string } };
const bindings = () => sharedDatabase().env;
const rows = () => workspaceRows(bindings());
const ns = () => env.WORKSPACE_PRESENCE;
const stubFor = (workspaceId: string) => ns().get(ns().idFromName(workspaceId));
const MINUTE = 60_000;

beforeAll(async () => {
  org = await setupOrg(bindings(), "holds");
  other = await setupOrg(bindings(), "holds-other");
  me = (await org.api("GET", "/v1/me")).body;
});

const row = (id: string) => rows().get(id);

/** The workspace's row as the desktop's sync client reads it (the real `@electric-sql/client`). */
async function syncedRow(id: string) {
  const controller = new AbortController();
  const { fetchClient } = workerFetch(bindings(), org.token);
  const stream = new ShapeStream<Row>({
    url: SHAPE_URL,
    params: { shape: "workspaces" },
    fetchClient,
    signal: controller.signal,
  });
  try {
    const rows = await new Shape(stream).rows;
    return parseShapeRow(rows.find((r) => r.id === id))!;
  } finally {
    controller.abort();
  }
}

const hold = (id: string, body: unknown, o: Org = org) => o.api("POST", `/v1/workspaces/${id}/holds`, body);

/** The presence and hold events of a workspace, oldest first, as `type actor why`. */
async function presenceEvents(workspaceId: string) {
  const res = await org.api(
    "GET",
    `/v1/events?workspaceId=${workspaceId}&type=session.joined,session.left,hold.created,hold.released&limit=500`,
  );
  expect(res.status).toBe(200);
  return res.body.items as any[];
}

const describeEvent = (e: any) =>
  [
    e.type,
    e.actor.type === "user"
      ? `user:${e.actor.userId === org.userId}:${e.actor.tokenId === me.token.id}`
      : `system:${e.actor.process}`,
    e.data.why ?? "",
  ].join(" ");

let running: string | null = null;
/** One running workspace for the validation cases (created once). */
async function firstRunning(): Promise<string> {
  running ??= (await createRunning(org, "h-validate")).id as string;
  return running;
}

describe("holds: create, list, release", () => {
  it("creates a hold for minutes or until a time, lists it soonest end first, and releases it", async () => {
    const ws = await createRunning(org, "h-crud");
    const before = Date.now();
    const a = await hold(ws.id, { minutes: 90, reason: "nightly build" });
    expect(a.status).toBe(201);
    expect(a.body).toEqual({
      id: expect.any(String),
      userId: org.userId,
      name: me.user.name,
      reason: "nightly build",
      until: expect.any(String),
      createdAt: expect.any(String),
    });
    const untilMs = Date.parse(a.body.until);
    expect(untilMs).toBeGreaterThanOrEqual(before + 90 * MINUTE);
    expect(untilMs).toBeLessThanOrEqual(Date.now() + 90 * MINUTE);

    const at = new Date(Date.now() + 30 * MINUTE).toISOString();
    const b = await hold(ws.id, { until: at, reason: "migration" });
    expect(b.status).toBe(201);
    expect(b.body.until).toBe(at);

    const listed = await org.api("GET", `/v1/workspaces/${ws.id}/holds`);
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((h: any) => h.reason)).toEqual(["migration", "nightly build"]);

    expect((await org.api("DELETE", `/v1/workspaces/${ws.id}/holds/${b.body.id}`)).status).toBe(204);
    expect((await org.api("GET", `/v1/workspaces/${ws.id}/holds`)).body.items.map((h: any) => h.id)).toEqual([
      a.body.id,
    ]);
    // Released already, or never a hold of this workspace: 404.
    const again = await org.api("DELETE", `/v1/workspaces/${ws.id}/holds/${b.body.id}`);
    expect(again.status).toBe(404);
    expect(again.headers.get("content-type")).toContain("application/problem+json");
    expect((await org.api("DELETE", `/v1/workspaces/${ws.id}/holds/${crypto.randomUUID()}`)).status).toBe(
      404,
    );
  });

  it.each([
    [{ reason: "x" }, "body.minutes"],
    [{ minutes: 5, until: new Date(Date.now() + MINUTE).toISOString(), reason: "x" }, "body.minutes"],
    [{ minutes: 0, reason: "x" }, "body.minutes"],
    [{ minutes: 1441, reason: "x" }, "body.minutes"],
    [{ minutes: 1.5, reason: "x" }, "body.minutes"],
    [{ minutes: 5, reason: "" }, "body.reason"],
    [{ minutes: 5, reason: "a\u202eb" }, "body.reason"],
    [{ minutes: 5 }, "body.reason"],
    [{ minutes: 5, reason: "x", extra: 1 }, "body.extra"],
    [{ until: "tomorrow", reason: "x" }, "body.until"],
    [{ until: new Date(Date.now() - MINUTE).toISOString(), reason: "x" }, "body.until"],
    [{ until: new Date(Date.now() + 25 * 60 * MINUTE).toISOString(), reason: "x" }, "body.until"],
  ])("refuses %j with a 400 naming %s", async (body, field) => {
    const ws = await firstRunning();
    const res = await hold(ws, body);
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    expect((await org.api("GET", `/v1/workspaces/${ws}/holds`)).body.items).toEqual([]);
  });

  it("answers 400 for ids that are not UUIDs", async () => {
    const ws = await firstRunning();
    expect((await org.api("GET", "/v1/workspaces/nope/holds")).body.errors[0].field).toBe("path.id");
    const bad = await org.api("DELETE", `/v1/workspaces/${ws}/holds/nope`);
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe("path.holdId");
  });

  it("holds only a running or provisioning workspace: 409 saying to resume first", async () => {
    const ws = await createRunning(org, "h-paused");
    expect((await org.api("POST", `/v1/workspaces/${ws.id}/pause`)).status).toBe(200);
    const res = await hold(ws.id, { minutes: 5, reason: "too late" });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ type: "/problems/not-running", workspaceStatus: "paused" });
    expect(res.body.allowedActions).toContain("resume");
    expect(res.body.detail).toMatch(/resume it first/);
    await rows().update(ws.id, { status: "provisioning" });
    expect((await hold(ws.id, { minutes: 5, reason: "while it comes up" })).status).toBe(201);
  });

  it("caps live holds per workspace (429 naming MAX_HOLDS_PER_WORKSPACE); a release makes room", async () => {
    const ws = await createRunning(org, "h-limit");
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      const res = await hold(ws.id, { minutes: 10, reason: `job ${i}` });
      expect(res.status).toBe(201);
      ids.push(res.body.id);
    }
    const full = await hold(ws.id, { minutes: 10, reason: "one too many" });
    expect(full.status).toBe(429);
    expect(full.body).toMatchObject({
      type: "/problems/limit-reached",
      limit: { name: "MAX_HOLDS_PER_WORKSPACE", max: 20 },
    });
    expect((await org.api("DELETE", `/v1/workspaces/${ws.id}/holds/${ids[0]}`)).status).toBe(204);
    expect((await hold(ws.id, { minutes: 10, reason: "room again" })).status).toBe(201);
  });

  it("keeps to its organization: another's workspace and holds answer 404", async () => {
    const ws = await createRunning(org, "h-isolated");
    const mine = await hold(ws.id, { minutes: 10, reason: "mine" });
    const theirs = await createRunning(other, "h-theirs");
    expect((await hold(ws.id, { minutes: 10, reason: "intruder" }, other)).status).toBe(404);
    expect((await other.api("GET", `/v1/workspaces/${ws.id}/holds`)).status).toBe(404);
    expect((await other.api("DELETE", `/v1/workspaces/${ws.id}/holds/${mine.body.id}`)).status).toBe(404);
    // Its own workspace's path with our hold's id finds nothing either.
    expect((await other.api("DELETE", `/v1/workspaces/${theirs.id}/holds/${mine.body.id}`)).status).toBe(404);
    expect((await org.api("GET", `/v1/workspaces/${ws.id}/holds`)).body.items.map((h: any) => h.id)).toEqual([
      mine.body.id,
    ]);
    const foreignEvents = JSON.stringify((await other.api("GET", "/v1/events?limit=500")).body);
    expect(foreignEvents).not.toContain(mine.body.id);
  });
});

describe("what holds and sessions show", () => {
  it("activity, the row's presence and the synced row name who is connected and which holds keep it", async () => {
    const ws = await createRunning(org, "h-activity");
    const idle = (await org.api("GET", `/v1/workspaces/${ws.id}`)).body;
    expect(idle.activity).toMatchObject({ state: "counting_down", sessions: [], holds: [] });

    const h = (await hold(ws.id, { minutes: 120, reason: "nightly build" })).body;
    const held = (await org.api("GET", `/v1/workspaces/${ws.id}`)).body;
    expect(held.activity).toEqual({
      state: "held_by_holds",
      autoStopAt: new Date(Date.parse(h.until) + 30 * MINUTE).toISOString(),
      sessions: [],
      holds: [h],
    });
    // The trigger counts the hold's end as activity: the database agrees with the contract.
    expect(held.autoStopAt).toBe(held.activity.autoStopAt);

    const { sessionId } = (await org.api("POST", `/v1/workspaces/${ws.id}/sessions`, { clientType: "cli" }))
      .body;
    const busy = (await org.api("GET", `/v1/workspaces/${ws.id}`)).body;
    expect(busy.activity).toMatchObject({
      state: "held_by_sessions",
      autoStopAt: null,
      sessions: [
        { sessionId, userId: org.userId, name: me.user.name, email: me.user.email, clientType: "cli" },
      ],
      holds: [{ id: h.id, name: me.user.name, reason: "nightly build" }],
    });

    // The row's presence column, and the synced row built from it, carry the same.
    expect((await row(ws.id)).presence).toEqual({
      sessions: busy.activity.sessions,
      holds: busy.activity.holds,
    });
    const synced = await syncedRow(ws.id);
    expect(synced.presence).toEqual({ sessions: busy.activity.sessions, holds: busy.activity.holds });

    await org.api("DELETE", `/v1/workspaces/${ws.id}/sessions/${sessionId}`);
    await org.api("DELETE", `/v1/workspaces/${ws.id}/holds/${h.id}`);
    const after = (await org.api("GET", `/v1/workspaces/${ws.id}`)).body;
    expect(after.activity).toMatchObject({ state: "counting_down", sessions: [], holds: [] });
    // Released early: the countdown starts at the release, not at the hold's planned end.
    expect(Date.parse(after.autoStopAt)).toBeLessThan(Date.parse(h.until));
    expect((await row(ws.id)).presence).toEqual({ sessions: [], holds: [] });
  });

  it("records each join, leave, hold and release once, naming the user and token that did it", async () => {
    const ws = await createRunning(org, "h-events");
    const { sessionId } = (
      await org.api("POST", `/v1/workspaces/${ws.id}/sessions`, { clientType: "desktop" })
    ).body;
    const h = (await hold(ws.id, { minutes: 30, reason: "deploy" })).body;
    // A heartbeat batch and a listing write nothing new to the log.
    await org.api("POST", `/v1/workspaces/${ws.id}/sessions/${sessionId}/heartbeat`);
    expect(await runDurableObjectAlarm(stubFor(ws.id))).toBe(true);
    await org.api("GET", `/v1/workspaces/${ws.id}/holds`);
    await org.api("DELETE", `/v1/workspaces/${ws.id}/holds/${h.id}`);
    await org.api("DELETE", `/v1/workspaces/${ws.id}/sessions/${sessionId}`);

    const events = await presenceEvents(ws.id);
    expect(events.map(describeEvent)).toEqual([
      "session.joined user:true:true ",
      "hold.created user:true:true ",
      "hold.released user:true:true released",
      "session.left user:true:true ",
    ]);
    expect(events[0].data).toEqual({ sessionId, clientType: "desktop" });
    expect(events[1].data).toEqual({ holdId: h.id, reason: "deploy", until: h.until });
    expect(events[2].data).toMatchObject({ holdId: h.id, why: "released" });
  });

  it("expires a hold by the object's alarm: presence.holds empties, released as expired by the system", async () => {
    const ws = await createRunning(org, "h-expire");
    const h = (await hold(ws.id, { minutes: 60, reason: "long job" })).body;
    const stub = stubFor(ws.id);
    const ended = Date.now() - 5 * MINUTE;
    // As if its hour had passed: the hold's end in the object's own storage, and the alarm due.
    await runInDurableObject(stub, async (_i, state) => {
      state.storage.sql.exec("update holds set until = ? where id = ?", ended, h.id);
      await state.storage.setAlarm(Date.now());
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);

    const r = await row(ws.id);
    expect(r.presence).toEqual({ sessions: [], holds: [] });
    // The hold was activity until it ended: the countdown starts there.
    expect(r.lastActiveAt.getTime()).toBeGreaterThanOrEqual(ended);
    expect((await org.api("GET", `/v1/workspaces/${ws.id}/holds`)).body.items).toEqual([]);
    expect((await org.api("GET", `/v1/workspaces/${ws.id}`)).body.activity.state).toBe("counting_down");
    expect((await presenceEvents(ws.id)).map(describeEvent)).toEqual([
      "hold.created user:true:true ",
      "hold.released system:presence expired",
    ]);
  });

  it("names the system for sessions that stop heartbeating and sockets that close", async () => {
    const ws = await createRunning(org, "h-session-ends");
    const stub = stubFor(ws.id);
    const { sessionId } = (await org.api("POST", `/v1/workspaces/${ws.id}/sessions`, { clientType: "web" }))
      .body;
    await runInDurableObject(stub, async (_i, state) => {
      state.storage.sql.exec(
        "update sessions set last_heartbeat_at = ? where id = ?",
        Date.now() - 91_000,
        sessionId,
      );
      await state.storage.setAlarm(Date.now());
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);

    const res = await org.api("GET", `/v1/workspaces/${ws.id}/presence?clientType=desktop`, undefined, {
      headers: { upgrade: "websocket" },
      raw: true,
    });
    const socket = res.webSocket!;
    socket.accept();
    await new Promise((resolve) => socket.addEventListener("message", resolve, { once: true }));
    socket.close(1000, "bye");
    await expect.poll(async () => (await row(ws.id)).connectedCount, { timeout: 10_000 }).toBe(0);

    expect((await presenceEvents(ws.id)).map(describeEvent)).toEqual([
      "session.joined user:true:true ",
      "session.left system:presence ",
      "session.joined user:true:true ",
      "session.left system:presence ",
    ]);
  });

  it("a deleted workspace takes its holds with it", async () => {
    const ws = await createRunning(org, "h-deleted");
    await hold(ws.id, { minutes: 60, reason: "gone soon" });
    expect((await org.api("DELETE", `/v1/workspaces/${ws.id}?force=true`)).status).toBe(204);
    expect(await stubFor(ws.id).holds()).toEqual([]);
    expect((await org.api("GET", `/v1/workspaces/${ws.id}/holds`)).status).toBe(404);
  });
});
