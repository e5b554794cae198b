import type { WorkspacePresence } from "@cw/contracts";
import { describe, expect, it } from "vitest";
import { holdEnd, mayHold } from "../../src/domain/holds.ts";
import type { Ended, PresenceHold, PresenceSession } from "../../src/domain/presence.ts";
import { type PresenceState, presenceEvents, presenceView } from "../../src/domain/presence-mirror.ts";
import { SerialRuns } from "../../src/presence/serial-runs.ts";

const T0 = Date.parse("2026-01-01T10:00:00Z");
const MINUTE = 60_000;
type Who = { userId: string; tokenId: string | null };
const alice: Who = { userId: "u-alice", tokenId: "t-alice" };
const bob: Who = { userId: "u-bob", tokenId: null };
const names = new Map([
  ["u-alice", { name: "Alice", email: "alice@example.test" }],
  ["u-bob", { name: "Bob", email: "bob@example.test" }],
]);

const session = (id: string, who = alice): PresenceSession => ({
  id,
  ...who,
  clientType: "desktop",
  connectedAt: T0,
  lastHeartbeatAt: T0,
  viaSocket: false,
});
const hold = (id: string, until: number, who = alice): PresenceHold => ({
  id,
  ...who,
  reason: `job ${id}`,
  until,
  createdAt: T0,
});
const endedBy =
  <T>(by: PresenceState["endedSessions"][number]["ended"]["by"], at: number) =>
  (x: T): Ended<T> => ({ ...x, ended: { at, by } });
const userEnd = { type: "user" as const, userId: "u-alice", tokenId: "t-alice" };
const state = (over: Partial<PresenceState>): PresenceState => ({
  sessions: [],
  holds: [],
  endedSessions: [],
  endedHolds: [],
  ...over,
});
const shown = (s: Pick<PresenceState, "sessions" | "holds">): WorkspacePresence => presenceView(s, names);
/** Each event as `type actor why`. */
const flat = (groups: ReturnType<typeof presenceEvents>) =>
  groups.flatMap((g) =>
    g.events.map((e) =>
      [
        e.type,
        g.actor.type === "user" ? `${g.actor.userId}/${g.actor.tokenId}` : g.actor.process,
        "why" in e.data ? e.data.why : "",
      ].join(" "),
    ),
  );

describe("the row's presence", () => {
  it("names each connected user and hold's owner, with ISO times", () => {
    const view = shown({ sessions: [session("s1")], holds: [hold("h1", T0 + MINUTE, bob)] });
    expect(view).toEqual({
      sessions: [
        {
          sessionId: "s1",
          userId: "u-alice",
          name: "Alice",
          email: "alice@example.test",
          clientType: "desktop",
          since: "2026-01-01T10:00:00.000Z",
        },
      ],
      holds: [
        {
          id: "h1",
          userId: "u-bob",
          name: "Bob",
          reason: "job h1",
          until: "2026-01-01T10:01:00.000Z",
          createdAt: "2026-01-01T10:00:00.000Z",
        },
      ],
    });
  });
});

describe("presence events", () => {
  it("joins and creations are their own user's (and token's)", () => {
    const events = presenceEvents(
      "w",
      shown({ sessions: [], holds: [] }),
      state({ sessions: [session("s1"), session("s2", bob)], holds: [hold("h1", T0 + MINUTE)] }),
    );
    expect(flat(events)).toEqual([
      "session.joined u-alice/t-alice ",
      "hold.created u-alice/t-alice ",
      "session.joined u-bob/null ",
    ]);
  });

  it("ends are whoever's the ending names: a user's release or leave, the object's expiry", () => {
    const before = shown({
      sessions: [session("s1"), session("s2")],
      holds: [hold("h1", T0 + 10 * MINUTE), hold("h2", T0 + MINUTE)],
    });
    const after = state({
      endedSessions: [session("s1")].map(endedBy(userEnd, T0 + 5)),
      endedHolds: [
        ...[hold("h1", T0 + 10 * MINUTE)].map(endedBy(userEnd, T0 + 2 * MINUTE)),
        ...[hold("h2", T0 + MINUTE)].map(endedBy({ type: "system", process: "presence" }, T0 + 3 * MINUTE)),
      ],
    });
    // s2 vanished without an ending (storage lost): the object itself is named.
    expect(flat(presenceEvents("w", before, after)).sort()).toEqual(
      [
        "session.left u-alice/t-alice ",
        "hold.released u-alice/t-alice released",
        "session.left presence ",
        "hold.released presence expired",
      ].sort(),
    );
  });

  it("records nothing twice: what the row already shows, or what it never showed, makes no event", () => {
    const live = { sessions: [session("s1")], holds: [hold("h1", T0 + MINUTE)] };
    expect(presenceEvents("w", shown(live), state(live))).toEqual([]);
    // Began and ended between two writes: never shown, so neither joined nor left.
    const blip = state({ endedSessions: [session("s9")].map(endedBy(userEnd, T0)) });
    expect(presenceEvents("w", shown({ sessions: [], holds: [] }), blip)).toEqual([]);
  });
});

describe("holds", () => {
  const now = T0;
  it("end after minutes, or at a time in the next 24 hours", () => {
    expect(holdEnd({ minutes: 90 }, now)).toEqual({ ok: true, until: now + 90 * MINUTE });
    expect(holdEnd({ until: "2026-01-01T18:00:00Z" }, now)).toEqual({
      ok: true,
      until: Date.parse("2026-01-01T18:00:00Z"),
    });
    expect(holdEnd({ until: "2026-01-02T10:00:00Z" }, now)).toMatchObject({ ok: true });
    expect(holdEnd({ until: "2026-01-02T10:00:00.001Z" }, now)).toEqual({
      ok: false,
      message: "must be at most 24 hours ahead",
    });
    expect(holdEnd({ until: "2026-01-01T10:00:00Z" }, now)).toEqual({
      ok: false,
      message: "must be in the future",
    });
  });

  it("are placed on running or provisioning workspaces only", () => {
    expect(["running", "provisioning"].every((s) => mayHold(s as "running"))).toBe(true);
    expect((["paused", "stopped", "error"] as const).some((s) => mayHold(s))).toBe(false);
  });
});

describe("serial write-through runs", () => {
  it("never overlap, and a call during a run gets a fresh run after it (calls meanwhile share it)", async () => {
    const log: string[] = [];
    let running = 0;
    let version = 0;
    const gates: (() => void)[] = [];
    const runs = new SerialRuns(async () => {
      running++;
      expect(running).toBe(1);
      const seen = version;
      await new Promise<void>((resolve) => gates.push(resolve));
      log.push(`wrote v${seen}`);
      running--;
    });
    const settle = () => new Promise((r) => setTimeout(r, 0));
    const first = runs.run();
    await settle();
    expect(gates).toHaveLength(1); // the first run has started
    version = 1;
    const second = runs.run();
    const third = runs.run();
    expect(third).toBe(second);
    await settle();
    expect(gates).toHaveLength(1); // and the second waits for it
    gates.shift()!();
    await first;
    await settle();
    expect(gates).toHaveLength(1);
    gates.shift()!();
    await second;
    expect(log).toEqual(["wrote v0", "wrote v1"]);
  });

  it("keeps running after a run fails, reporting the failure to that run's callers only", async () => {
    let n = 0;
    const runs = new SerialRuns(async () => {
      n++;
      if (n === 1) throw new Error("database down");
    });
    await expect(runs.run()).rejects.toThrow("database down");
    await expect(runs.run()).resolves.toBeUndefined();
    expect(n).toBe(2);
  });
});
