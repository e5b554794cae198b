import { describe, expect, it } from "vitest";
import { type ActivitySubject, autoStopAtOf, describeActivity, explainActivity } from "../src/activity.ts";
import type { ConnectedUser, Hold } from "../src/schemas/activity.ts";

const now = new Date("2026-12-04T17:00:00.000Z");
const minutes = (n: number) => new Date(now.getTime() + n * 60_000).toISOString();
const hhmm = (d: Date) => d.toISOString().slice(11, 16);

const alice: ConnectedUser = {
  sessionId: "s1",
  userId: "u1",
  name: "alice",
  email: "alice@example.test",
  clientType: "desktop",
  since: minutes(-12),
};
const build = (until: string, reason = "nightly build"): Hold => ({
  id: "h1",
  userId: "u2",
  name: "bob",
  reason,
  until,
  createdAt: minutes(-5),
});

function ws(over: Partial<ActivitySubject> = {}): ActivitySubject & { autoStopAction: "pause" } {
  return {
    status: "running",
    autoStopMinutes: 30,
    lastActiveAt: minutes(-10),
    presence: { sessions: [], holds: [] },
    autoStopAction: "pause",
    ...over,
  };
}

const explain = (w: ReturnType<typeof ws>) => {
  const activity = explainActivity(w, now);
  return { ...activity, text: describeActivity(w, activity, now, hhmm) };
};

describe("why a workspace is running, or when it stops", () => {
  it("counts down from the last activity when nothing holds it", () => {
    const a = explain(ws());
    expect(a.state).toBe("counting_down");
    expect(a.autoStopAt).toBe(minutes(20));
    expect(a.text).toBe("idle: auto-pause at 17:20 (in 20 min)");
  });

  it("is held by the people connected, with their client and how long, and no stop time", () => {
    const a = explain(ws({ presence: { sessions: [alice], holds: [] } }));
    expect(a.state).toBe("held_by_sessions");
    expect(a.autoStopAt).toBeNull();
    expect(a.sessions).toEqual([alice]);
    expect(a.text).toBe("running because alice (desktop, 12 min)");
  });

  it("names people and holds together, as the tray shows them", () => {
    const a = explain(ws({ presence: { sessions: [alice], holds: [build(minutes(60))] } }));
    expect(a.state).toBe("held_by_sessions");
    expect(a.text).toBe("running because alice (desktop, 12 min) and a hold 'nightly build' until 18:00");
  });

  it("is held by a live hold, and stops autoStopMinutes after the hold ends", () => {
    const a = explain(
      ws({ lastActiveAt: minutes(-600), presence: { sessions: [], holds: [build(minutes(60))] } }),
    );
    expect(a.state).toBe("held_by_holds");
    expect(a.autoStopAt).toBe(minutes(90));
    expect(a.text).toBe(
      "running because of a hold 'nightly build' until 18:00; then auto-pause at 18:30 (in 90 min)",
    );
  });

  it("lets an ended hold go: counting down from its end, which may already be past", () => {
    const ended = ws({
      lastActiveAt: minutes(-600),
      presence: { sessions: [], holds: [build(minutes(-40))] },
    });
    const a = explain(ended);
    expect(a.state).toBe("counting_down");
    expect(a.holds).toEqual([]);
    expect(a.autoStopAt).toBe(minutes(-10));
  });

  it("says auto-stop is off, and that a workspace not running is just that", () => {
    expect(explain(ws({ autoStopMinutes: 0 })).state).toBe("auto_stop_off");
    expect(explain(ws({ autoStopMinutes: 0 })).autoStopAt).toBeNull();
    const paused = explain(ws({ status: "paused", presence: { sessions: [alice], holds: [] } }));
    expect(paused.state).toBe("not_running");
    expect(paused.autoStopAt).toBeNull();
    expect(paused.text).toBe("paused");
  });

  it("trusts a connected count over an empty presence (the database's rule, before names arrive)", () => {
    expect(autoStopAtOf({ ...ws(), connectedCount: 1 })).toBeNull();
    expect(autoStopAtOf({ ...ws(), connectedCount: 0 })?.toISOString()).toBe(minutes(20));
    const counted = explain({ ...ws(), connectedCount: 1 });
    expect(counted.state).toBe("held_by_sessions");
    expect(counted.autoStopAt).toBeNull();
    expect(counted.text).toBe("running because someone is connected");
  });

  it("summarizes many people and many holds", () => {
    const people = ["a", "b", "c", "d", "e"].map((name, i) => ({ ...alice, sessionId: `s${i}`, name }));
    const holds = [build(minutes(30), "one"), { ...build(minutes(90), "two"), id: "h2" }];
    const a = explain(ws({ presence: { sessions: people, holds } }));
    expect(a.text).toBe(
      "running because a (desktop, 12 min), b (desktop, 12 min), c (desktop, 12 min), 2 more and 2 holds until 18:30",
    );
  });
});
