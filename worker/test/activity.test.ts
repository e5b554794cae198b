import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { apiClient } from "./support/api.ts";
import { sharedDatabase } from "./support/database.ts";
import { createRunning, type Org, setupOrg } from "./support/org.ts";
import { workspaceRows } from "./support/shape-rows.ts";
import { tick } from "./support/tick.ts";
import { vmHost } from "./support/vm-host.ts";

/**
 * Only sessions, holds and lifecycle calls count as activity: a hold keeps an idle workspace from
 * auto-stop until it ends; the "auto-stop coming" event comes once per countdown; and reading,
 * syncing, waiting, SSH credentials and the cron's own checks never move a countdown or wake a
 * paused VM. Ticks and presence objects share the workers' database.
 */
let org: Org;
const bindings = () => sharedDatabase().env;
const rows = () => workspaceRows(bindings());
const ns = () => env.WORKSPACE_PRESENCE;
const stubFor = (workspaceId: string) => ns().get(ns().idFromName(workspaceId));
const MINUTE = 60_000;
const minutesAgo = (m: number) => new Date(Date.now() - m * MINUTE);

beforeAll(async () => {
  org = await setupOrg(bindings(), "activity");
});

const row = (id: string) => rows().get(id);

/** Moves the presence object's own last activity `minutes` back (its storage, as if time had passed). */
async function forgetActivity(workspaceId: string, minutes: number) {
  await runInDurableObject(stubFor(workspaceId), async (_i, state) => {
    state.storage.sql.exec(
      "update meta set value = ? where key = 'lastActiveAt'",
      String(Date.now() - minutes * MINUTE),
    );
  });
}

const hold = async (id: string, minutes: number, reason: string) => {
  const res = await org.api("POST", `/v1/workspaces/${id}/holds`, { minutes, reason });
  expect(res.status).toBe(201);
  return res.body as { id: string; until: string };
};

async function eventsOf(workspaceId: string, type: string) {
  return (await org.api("GET", `/v1/events?workspaceId=${workspaceId}&type=${type}&limit=500`)).body
    .items as any[];
}

describe("a hold keeps an idle workspace from auto-stop", () => {
  it("is not stopped while its hold lasts, even when the mirror has lost the hold", async () => {
    const w = await createRunning(org, "a-held");
    await hold(w.id, 60, "nightly build");
    // Idle for two hours by its row and by the object (as if the hold had been placed then), and the
    // row's presence forgets the hold: auto_stop_at has passed, only the live hold stands.
    await rows().update(w.id, { lastActiveAt: minutesAgo(120), presence: { sessions: [], holds: [] } });
    await forgetActivity(w.id, 120);
    expect((await row(w.id)).autoStopAt!.getTime()).toBeLessThan(Date.now());
    await tick(bindings());
    // The presence object, the authority, knows the hold.
    expect(await row(w.id)).toMatchObject({ status: "running", operation: null });
    expect((await vmHost.vm(w.providerVmId)).body.state).toBe("running");
  });

  it("is stopped once the hold's end is autoStopMinutes behind (the clock moved on)", async () => {
    const w = await createRunning(org, "a-held-then-idle");
    await org.api("PATCH", `/v1/workspaces/${w.id}`, { autoStopMinutes: 1 });
    const h = await hold(w.id, 10, "short job");
    await rows().update(w.id, { lastActiveAt: minutesAgo(60) });
    await tick(bindings());
    expect((await row(w.id)).status).toBe("running");
    // One minute after the hold's end (it was activity until then), idle auto-stop acts.
    await tick(bindings(), Date.parse(h.until) + MINUTE);
    const r = await row(w.id);
    expect(r).toMatchObject({
      status: "paused",
      statusMessage: "auto-paused after 1 minute without activity",
    });
    expect((await vmHost.vm(w.providerVmId)).body.state).toBe("suspended");
  });

  it("is stopped after the alarm has expired its hold and the idle time has passed since", async () => {
    const w = await createRunning(org, "a-hold-expired");
    const h = await hold(w.id, 60, "finished job");
    const stub = stubFor(w.id);
    await rows().update(w.id, { lastActiveAt: minutesAgo(120) });
    // The hold ended 31 minutes ago (the object's own rows adjusted), and nothing happened since.
    await forgetActivity(w.id, 120);
    await runInDurableObject(stub, async (_i, state) => {
      state.storage.sql.exec("update holds set until = ? where id = ?", Date.now() - 31 * MINUTE, h.id);
      await state.storage.setAlarm(Date.now());
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const expired = await row(w.id);
    expect(expired.presence).toEqual({ sessions: [], holds: [] });
    expect(expired.autoStopAt!.getTime()).toBeLessThan(Date.now());
    await tick(bindings());
    expect(await row(w.id)).toMatchObject({ status: "paused" });
  });
});

describe("auto-stop coming", () => {
  it("is recorded once per countdown, AUTO_STOP_WARNING_MINUTES before auto-stop acts", async () => {
    const w = await createRunning(org, "a-warned");
    await rows().update(w.id, { lastActiveAt: minutesAgo(27) });
    const first = (await row(w.id)).autoStopAt!;
    await tick(bindings());
    await tick(bindings());
    let warned = await eventsOf(w.id, "workspace.auto_stop_coming");
    expect(warned.map((e) => [e.actor, e.data])).toEqual([
      [
        { type: "system", process: "auto-stop" },
        { at: first.toISOString(), action: "pause" },
      ],
    ]);
    expect((await row(w.id)).autoStopWarnedFor).toEqual(first);

    // Someone comes and goes: a new countdown, far off, then close again — warned once more.
    const { sessionId } = (await org.api("POST", `/v1/workspaces/${w.id}/sessions`, { clientType: "cli" }))
      .body;
    await org.api("DELETE", `/v1/workspaces/${w.id}/sessions/${sessionId}`);
    await tick(bindings());
    expect(await eventsOf(w.id, "workspace.auto_stop_coming")).toHaveLength(1);
    await rows().update(w.id, { lastActiveAt: minutesAgo(26) });
    const second = (await row(w.id)).autoStopAt!;
    expect(second.getTime()).toBeGreaterThan(first.getTime());
    await tick(bindings());
    await tick(bindings());
    warned = await eventsOf(w.id, "workspace.auto_stop_coming");
    expect(warned.map((e) => e.data.at)).toEqual([first.toISOString(), second.toISOString()]);
  });

  it("is not recorded for a countdown further off, nor with auto-stop off", async () => {
    const far = await createRunning(org, "a-not-yet");
    const off = await createRunning(org, "a-off");
    await org.api("PATCH", `/v1/workspaces/${off.id}`, { autoStopMinutes: 0 });
    await rows().update(far.id, { lastActiveAt: minutesAgo(20) });
    await rows().update(off.id, { lastActiveAt: minutesAgo(29) });
    await tick(bindings());
    expect(await eventsOf(far.id, "workspace.auto_stop_coming")).toEqual([]);
    expect(await eventsOf(off.id, "workspace.auto_stop_coming")).toEqual([]);
  });
});

describe("only sessions, holds and lifecycle calls count as activity", () => {
  /** Everything that reads a workspace or hands out access without being activity. */
  async function readEverything(id: string, expectSsh: number) {
    const quickLive = apiClient({ ...bindings(), SHAPE_LONG_POLL_MS: "200" }, org.token);
    expect((await org.api("GET", "/v1/workspaces")).status).toBe(200);
    expect((await org.api("GET", `/v1/workspaces/${id}`)).status).toBe(200);
    const status = (await org.api("GET", `/v1/workspaces/${id}`)).body.status;
    const waited = await org.api("GET", `/v1/workspaces/${id}?waitFor=${status}`);
    expect(waited.body.status).toBe(status);
    const timedOut = await org.api("GET", `/v1/workspaces/${id}?waitFor=error&timeoutSeconds=1`);
    expect(timedOut.body.status).toBe(status);
    expect((await org.api("GET", `/v1/workspaces/${id}/sessions`)).status).toBe(200);
    expect((await org.api("GET", `/v1/workspaces/${id}/holds`)).status).toBe(200);
    expect((await org.api("GET", `/v1/events?workspaceId=${id}`)).status).toBe(200);
    const snapshot = await quickLive("GET", "/v1/shape?shape=workspaces&offset=-1");
    expect(snapshot.status).toBe(200);
    const live = await quickLive(
      "GET",
      `/v1/shape?shape=workspaces&handle=${snapshot.headers.get("electric-handle")}&offset=${snapshot.headers.get("electric-offset")}&live=true`,
    );
    expect(live.status).toBeLessThan(300);
    expect((await org.api("POST", `/v1/workspaces/${id}/ssh`)).status).toBe(expectSsh);
  }

  it("reads, sync, waitFor, SSH credentials and the cron's checks of a running workspace move no countdown", async () => {
    const w = await createRunning(org, "n-running");
    await rows().update(w.id, { lastActiveAt: minutesAgo(10), statusCheckedAt: new Date(0) });
    const before = await row(w.id);
    await readEverything(w.id, 200);
    await tick(bindings());
    const after = await row(w.id);
    // The cron really looked (reconcile of an unchanged VM, git polling), and moved nothing.
    expect(after.statusCheckedAt!.getTime()).toBeGreaterThan(0);
    expect(after.syncCheckedAt).not.toBeNull();
    expect(after).toMatchObject({ status: "running", statusMessage: null });
    expect(after.lastActiveAt).toEqual(before.lastActiveAt);
    expect(after.autoStopAt).toEqual(before.autoStopAt);
    expect(after.connectedCount).toBe(0);
  });

  it("never wakes a paused VM: reads, sync, waitFor, SSH credentials (409) and the cron's checks", async () => {
    const w = await createRunning(org, "n-paused");
    expect((await org.api("POST", `/v1/workspaces/${w.id}/pause`)).status).toBe(200);
    await rows().update(w.id, { statusCheckedAt: new Date(0) });
    const before = await row(w.id);
    await vmHost.clearCalls();
    await readEverything(w.id, 409);
    await tick(bindings());
    const after = await row(w.id);
    expect(after.statusCheckedAt!.getTime()).toBeGreaterThan(0);
    expect(after).toMatchObject({ status: "paused", autoStopAt: null });
    expect(after.lastActiveAt).toEqual(before.lastActiveAt);
    expect((await vmHost.vm(w.providerVmId)).body.state).toBe("suspended");
    // The VM was looked at (its state), never asked to do anything.
    const touched = (await vmHost.calls()).filter((c) => c.path.startsWith(`/v1/vms/${w.providerVmId}`));
    expect(touched.length).toBeGreaterThan(0);
    expect(touched.filter((c) => c.method !== "GET")).toEqual([]);
  });
});
