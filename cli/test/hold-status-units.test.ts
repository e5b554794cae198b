import { ApiError } from "@cw/contracts/client";
import { sampleWorkspace } from "@cw/contracts/test-support";
import type { ConnectedUser, CreateHold, Hold, Workspace } from "@cw/contracts/types";
import { describe, expect, it } from "vitest";
import { forwardsSignal, shellStatus } from "../src/foreground-command.ts";
import { HOLD_MINUTES, keepHeld, RENEW_AFTER_MS, RETRY_AFTER_MS } from "../src/hold-keeper.ts";
import { parseDuration, parseUntil } from "../src/hold-time.ts";
import { workspaceDetails } from "../src/workspace-details.ts";
import { activityLine, workspaceRow } from "../src/workspace-table.ts";

/** Built from local date parts, so the expectations hold in whatever time zone the tests run. */
const local = (day: number, hours: number, minutes: number) => new Date(2026, 2, day, hours, minutes);

describe("hold durations (--for)", () => {
  it("reads minutes, hours and both, up to 24 hours", () => {
    const minutes = (text: string) => parseDuration(text);
    expect(minutes("90m")).toEqual({ ok: true, value: 90 });
    expect(minutes("2h")).toEqual({ ok: true, value: 120 });
    expect(minutes("1h30m")).toEqual({ ok: true, value: 90 });
    expect(minutes(" 1H 5M ")).toEqual({ ok: true, value: 65 });
    expect(minutes("24h")).toEqual({ ok: true, value: 1440 });
    expect(minutes("1m")).toEqual({ ok: true, value: 1 });
  });

  it("refuses what is not a duration, nothing, and more than 24 hours, saying how to write one", () => {
    for (const text of ["90", "2 hours", "", "h", "1.5h", "30m1h", "-5m", "1d"])
      expect(parseDuration(text)).toEqual({
        ok: false,
        message: `"${text}" is not a duration: write it like 90m, 2h or 1h30m`,
      });
    expect(parseDuration("0m")).toEqual({ ok: false, message: "a hold lasts at least 1 minute" });
    expect(parseDuration("0h0m")).toMatchObject({ ok: false });
    for (const text of ["25h", "1441m", "24h1m"])
      expect(parseDuration(text)).toEqual({ ok: false, message: "a hold lasts at most 24h (1440 minutes)" });
  });
});

describe("hold ends (--until)", () => {
  const now = local(10, 17, 30);

  it("takes a time of day as the next one in the user's time zone", () => {
    expect(parseUntil("18:00", now)).toEqual({ ok: true, value: local(10, 18, 0) });
    expect(parseUntil("9:05", now)).toEqual({ ok: true, value: local(11, 9, 5) });
    // Now itself has passed: tomorrow's.
    expect(parseUntil("17:30", now)).toEqual({ ok: true, value: local(11, 17, 30) });
    expect(parseUntil("24:00", now)).toEqual({ ok: false, message: '"24:00" is not a time of day' });
  });

  it("takes an ISO date and time, local without an offset, within the next 24 hours", () => {
    expect(parseUntil("2026-03-10T19:15", now)).toEqual({ ok: true, value: local(10, 19, 15) });
    const utc = new Date(now.getTime() + 3 * 3_600_000);
    expect(parseUntil(utc.toISOString(), now)).toEqual({ ok: true, value: utc });
    expect(parseUntil("2026-03-10T17:00", now)).toEqual({
      ok: false,
      message: "2026-03-10T17:00 has passed already",
    });
    expect(parseUntil("2026-03-12T09:00", now)).toEqual({
      ok: false,
      message: "a hold ends at most 24h from now; 2026-03-12T09:00 is further away",
    });
    for (const text of ["tomorrow", "6pm", "2026-03-10", "2026-13-45T99:00"])
      expect(parseUntil(text, now)).toMatchObject({
        ok: false,
        message: expect.stringMatching(/is not a time/),
      });
  });
});

/** An in-memory holds API that records each call and the live holds after it. */
function holdsApi() {
  const live = new Map<string, Hold>();
  const calls: string[] = [];
  let next = 1;
  let failCreate: Error | null = null;
  let gate: Promise<void> | null = null;
  return {
    live,
    calls,
    failNextCreates(e: Error | null) {
      failCreate = e;
    },
    /** Creates wait until the returned function is called. */
    holdCreates(): () => void {
      let open = () => {};
      gate = new Promise<void>((resolve) => {
        open = resolve;
      });
      return () => {
        gate = null;
        open();
      };
    },
    api: {
      async createHold(_ws: string, input: CreateHold): Promise<Hold> {
        if (gate) await gate;
        if (failCreate) {
          calls.push("create failed");
          throw failCreate;
        }
        const hold: Hold = {
          id: `h${next++}`,
          userId: "u1",
          name: "Alice",
          reason: input.reason,
          until: new Date(Date.now() + (input.minutes ?? 0) * 60_000).toISOString(),
          createdAt: new Date().toISOString(),
        };
        live.set(hold.id, hold);
        calls.push(`create ${hold.id} (${input.minutes} min, ${input.reason}) → live ${live.size}`);
        return hold;
      },
      async deleteHold(_ws: string, holdId: string): Promise<undefined> {
        if (!live.delete(holdId))
          throw new ApiError({ status: 404, title: "Not Found", detail: "no such live hold" });
        calls.push(`delete ${holdId} → live ${live.size}`);
        return undefined;
      },
    },
  };
}

/** Timers the test fires by hand. */
function manualTimers() {
  const pending: { run: () => void; ms: number; cancelled: boolean }[] = [];
  return {
    pending,
    schedule(run: () => void, ms: number) {
      const t = { run, ms, cancelled: false };
      pending.push(t);
      return () => {
        t.cancelled = true;
      };
    },
    /** Fires the one live timer, checking its delay, and lets the work it starts finish. */
    async fire(expectedMs: number) {
      const live = pending.filter((t) => !t.cancelled);
      expect(live.map((t) => t.ms)).toEqual([expectedMs]);
      pending.length = 0;
      live[0]!.run();
      await new Promise((r) => setTimeout(r, 0));
    },
  };
}

/** A hold kept on workspace "ws" through the in-memory API, with timers fired by hand and notes kept. */
async function kept(reason = "r") {
  const holds = holdsApi();
  const timers = manualTimers();
  const said: string[] = [];
  const held = await keepHeld({
    api: holds.api,
    workspaceId: "ws",
    reason,
    say: (l) => said.push(l),
    schedule: timers.schedule,
  });
  return { holds, timers, said, held };
}

describe("holding while a command runs", () => {
  it("renews by placing the new hold before releasing the old, so there is never a gap, then releases", async () => {
    const { holds, timers, said, held } = await kept("make (cw hold)");
    expect(held.current().id).toBe("h1");
    await timers.fire(RENEW_AFTER_MS);
    await timers.fire(RENEW_AFTER_MS);
    expect(held.current().id).toBe("h3");
    await held.release();
    expect(holds.calls).toEqual([
      `create h1 (${HOLD_MINUTES} min, make (cw hold)) → live 1`,
      `create h2 (${HOLD_MINUTES} min, make (cw hold)) → live 2`,
      "delete h1 → live 1",
      `create h3 (${HOLD_MINUTES} min, make (cw hold)) → live 2`,
      "delete h2 → live 1",
      "delete h3 → live 0",
    ]);
    expect(timers.pending.filter((t) => !t.cancelled)).toEqual([]);
    expect(said).toEqual([]);
  });

  it("retries a failed renewal, saying each distinct failure once, and keeps the hold it has", async () => {
    const { holds, timers, said, held } = await kept();
    holds.failNextCreates(
      new ApiError({ status: 0, title: "API unreachable", detail: "Cannot reach the API" }),
    );
    await timers.fire(RENEW_AFTER_MS);
    await timers.fire(RETRY_AFTER_MS);
    expect(said).toHaveLength(1);
    expect(said[0]).toMatch(
      /^could not renew the hold \(Cannot reach the API\); trying again, it lasts until \d\d:\d\d$/,
    );
    expect([...holds.live.keys()]).toEqual(["h1"]);
    holds.failNextCreates(null);
    await timers.fire(RETRY_AFTER_MS);
    expect([...holds.live.keys()]).toEqual(["h2"]);
    await held.release();
    expect(holds.live.size).toBe(0);
  });

  it("releases a renewal that was in flight when the command ended, and a hold someone else released is no error", async () => {
    const { holds, timers, said, held } = await kept();
    const open = holds.holdCreates();
    await timers.fire(RENEW_AFTER_MS);
    const released = held.release();
    open();
    await released;
    expect(holds.live.size).toBe(0);
    expect(holds.calls.filter((c) => c.startsWith("create"))).toHaveLength(2);
    expect(timers.pending.filter((t) => !t.cancelled)).toEqual([]);

    expect(said).toEqual([]);

    const other = await kept();
    other.holds.live.clear();
    await other.held.release();
    expect(other.said).toEqual([]);
  });

  it("exits as a shell says a command ended, and passes on the signals meant for the command", () => {
    expect(shellStatus(0, null)).toBe(0);
    expect(shellStatus(7, null)).toBe(7);
    expect(shellStatus(null, "SIGINT")).toBe(130);
    expect(shellStatus(null, "SIGTERM")).toBe(143);
    expect(forwardsSignal("SIGINT", false)).toBe(true);
    // On a terminal, Ctrl-C reached the command already.
    expect(forwardsSignal("SIGINT", true)).toBe(false);
    expect(forwardsSignal("SIGTERM", true)).toBe(true);
    expect(forwardsSignal("SIGHUP", true)).toBe(true);
  });
});

describe("cw status and the activity column of cw ls", () => {
  const now = local(10, 17, 0);
  const alice: ConnectedUser = {
    sessionId: "s1",
    userId: "u1",
    name: "Alice",
    email: "alice@acme.dev",
    clientType: "desktop",
    since: local(10, 16, 48).toISOString(),
  };
  const build: Hold = {
    id: "0193c0de-0000-7000-8000-000000000001",
    userId: "u2",
    name: "Bob",
    reason: "nightly build",
    until: local(10, 18, 0).toISOString(),
    createdAt: local(10, 16, 0).toISOString(),
  };
  const held: Workspace = sampleWorkspace({
    name: "my-feature",
    branch: "feature",
    connectedCount: 1,
    activity: { state: "held_by_sessions", autoStopAt: null, sessions: [alice], holds: [build] },
  });

  it("says why it runs, or when it stops, in the user's time zone; nothing beside a status that says it", () => {
    expect(activityLine(held, now)).toBe(
      "running because Alice (desktop, 12 min) and a hold 'nightly build' until 18:00",
    );
    const idle = sampleWorkspace({
      activity: {
        state: "counting_down",
        autoStopAt: local(10, 17, 45).toISOString(),
        sessions: [],
        holds: [],
      },
    });
    expect(activityLine(idle, now)).toBe("idle: auto-pause at 17:45 (in 45 min)");
    const holdOnly = sampleWorkspace({
      autoStopAction: "stop",
      activity: {
        state: "held_by_holds",
        autoStopAt: local(11, 0, 30).toISOString(),
        sessions: [],
        holds: [{ ...build, until: local(11, 0, 0).toISOString() }],
      },
    });
    expect(activityLine(holdOnly, now)).toBe(
      "running because of a hold 'nightly build' until tomorrow 00:00; then auto-stop at tomorrow 00:30 (in 450 min)",
    );
    const paused = sampleWorkspace({
      status: "paused",
      activity: { state: "not_running", autoStopAt: null, sessions: [], holds: [] },
    });
    expect(workspaceRow(paused, now)).toEqual(["api", "main", "paused", "up to date", "-"]);
    expect(workspaceRow(held, now).at(-1)).toBe(activityLine(held, now));
  });

  it("lists the people connected and the holds with who placed them, until when and their ids", () => {
    expect(workspaceDetails(held, now).split("\n")).toEqual([
      "my-feature",
      "  branch     feature",
      "  status     running",
      "  activity   running because Alice (desktop, 12 min) and a hold 'nightly build' until 18:00",
      "  auto-stop  pause after 30 min without activity",
      "  git sync   up to date",
      `  id         ${held.id}`,
      "",
      "connected (1)",
      "  NAME   EMAIL           CLIENT   SINCE",
      "  Alice  alice@acme.dev  desktop  16:48",
      "",
      "holds (1)",
      "  REASON         BY   UNTIL  ID",
      `  nightly build  Bob  18:00  ${build.id}`,
    ]);
    const nobody = workspaceDetails(sampleWorkspace({ autoStopMinutes: 0 }), now);
    expect(nobody).toContain("  auto-stop  off\n");
    expect(nobody).toContain("connected (0)\n  nobody\n");
    expect(nobody.endsWith("holds (0)\n  none")).toBe(true);
  });
});
