import { describe, expect, it } from "vitest";
import { autoStopMessage, isDueForAutoStop } from "../../src/domain/auto-stop.ts";
import { parseSyncReport } from "../../src/domain/git-sync.ts";
import {
  activeUntilHoldsEnded,
  expiredHolds,
  expiredSessions,
  holdEndReason,
  nextAlarmAt,
  type PresenceHold,
  type PresenceSession,
} from "../../src/domain/presence.ts";
import { reconcile } from "../../src/domain/reconcile.ts";
import { shellQuote } from "../../src/domain/shell.ts";

const t = (iso: string) => new Date(`2026-01-01T${iso}Z`);

describe("idle auto-stop", () => {
  const base = {
    status: "running" as const,
    autoStopMinutes: 30,
    lastActiveAt: t("10:00:00"),
    operation: null,
    presence: { holds: [] },
  };
  const nobody = { sessions: [], holds: [] };
  const justBefore = (at: Date) => new Date(at.getTime() - 1);

  it("is due exactly at lastActiveAt + autoStopMinutes, not a millisecond before", () => {
    expect(isDueForAutoStop(base, nobody, justBefore(t("10:30:00")))).toBe(false);
    expect(isDueForAutoStop(base, nobody, t("10:30:00"))).toBe(true);
  });

  it("never stops a workspace with a live session, however old its activity", () => {
    expect(isDueForAutoStop(base, { ...nobody, sessions: [{}] }, t("23:59:00"))).toBe(false);
  });

  it("counts a hold as activity until it ends: the countdown starts at its end", () => {
    const held = { ...nobody, holds: [{ until: t("12:00:00").getTime() }] };
    expect(isDueForAutoStop(base, held, t("11:59:00"))).toBe(false);
    expect(isDueForAutoStop(base, held, justBefore(t("12:30:00")))).toBe(false);
    expect(isDueForAutoStop(base, held, t("12:30:00"))).toBe(true);
  });

  it("counts the holds the row still shows, though the presence object has ended them", () => {
    const shown = { ...base, presence: { holds: [{ until: "2026-01-01T11:00:00.000Z" }] } };
    expect(isDueForAutoStop(shown, nobody, t("11:29:00"))).toBe(false);
    expect(isDueForAutoStop(shown, nobody, t("11:30:00"))).toBe(true);
  });

  it.each(["provisioning", "paused", "stopped", "error"] as const)("has no auto-stop when %s", (status) => {
    expect(isDueForAutoStop({ ...base, status }, nobody, t("23:00:00"))).toBe(false);
  });

  it("treats 0 minutes as never, and leaves a workspace alone while an operation runs", () => {
    expect(isDueForAutoStop({ ...base, autoStopMinutes: 0 }, nobody, t("23:00:00"))).toBe(false);
    expect(isDueForAutoStop({ ...base, operation: "pause" }, nobody, t("23:00:00"))).toBe(false);
  });

  it("says what it did", () => {
    expect(autoStopMessage("pause", 30)).toBe("auto-paused after 30 minutes without activity");
    expect(autoStopMessage("stop", 1)).toBe("auto-stopped after 1 minute without activity");
  });
});

describe("presence expiry", () => {
  const s = (id: string, last: number, viaSocket = false): PresenceSession => ({
    id,
    userId: "u",
    tokenId: null,
    clientType: "desktop",
    connectedAt: 0,
    lastHeartbeatAt: last,
    viaSocket,
  });
  const h = (id: string, until: number): PresenceHold => ({
    id,
    userId: "u",
    tokenId: null,
    reason: "build",
    until,
    createdAt: 0,
  });
  const idle = { sessions: [], holds: [], flushDueAt: null, auditDueAt: null };

  it("expires a session after three missed heartbeats, and socket sessions never", () => {
    const sessions = [s("fresh", 60_000), s("old", 0), s("socket", 0, true)];
    expect(expiredSessions(sessions, 89_999, 30).map((x) => x.id)).toEqual([]);
    expect(expiredSessions(sessions, 90_000, 30).map((x) => x.id)).toEqual(["old"]);
    expect(expiredSessions(sessions, 10_000_000, 30).map((x) => x.id)).toEqual(["fresh", "old"]);
  });

  it("ends a hold at its time, released if ended sooner, and counts it as activity until then", () => {
    expect(expiredHolds([h("a", 1000), h("b", 2000)], 1999).map((x) => x.id)).toEqual(["a"]);
    const by = { type: "system" as const, process: "presence" as const };
    expect(holdEndReason({ ...h("a", 1000), ended: { at: 999, by } })).toBe("released");
    expect(holdEndReason({ ...h("a", 1000), ended: { at: 1000, by } })).toBe("expired");
    // Expired at 1000 though noticed at 5000; released at 300: activity until each end, never earlier.
    expect(activeUntilHoldsEnded(0, [{ ...h("a", 1000), ended: { at: 5000, by } }])).toBe(1000);
    expect(activeUntilHoldsEnded(0, [{ ...h("a", 1000), ended: { at: 300, by } }])).toBe(300);
    expect(activeUntilHoldsEnded(2000, [{ ...h("a", 1000), ended: { at: 5000, by } }])).toBe(2000);
  });

  it("schedules one alarm at the earliest expiry, hold end, pending flush or audit", () => {
    expect(nextAlarmAt(idle)).toBeNull();
    expect(nextAlarmAt({ ...idle, sessions: [s("socket", 0, true)] })).toBeNull();
    expect(nextAlarmAt({ ...idle, sessions: [s("a", 1000), s("b", 500)] }, 30)).toBe(90_500);
    expect(nextAlarmAt({ ...idle, sessions: [s("a", 1000)], flushDueAt: 2000 }, 30)).toBe(2000);
    expect(nextAlarmAt({ ...idle, sessions: [s("a", 1000)], holds: [h("x", 40_000)] }, 30)).toBe(40_000);
    expect(nextAlarmAt({ ...idle, holds: [h("x", 40_000)], auditDueAt: 30_000 })).toBe(30_000);
  });
});

describe("reconcile", () => {
  const provisioning = {
    status: "provisioning" as const,
    providerVmId: "vm",
    operation: null,
    createdAt: t("10:00:00"),
  };
  const deadline = 10 * 60_000;

  it("finishes provisioning when the provider says running, whenever that is", () => {
    expect(
      reconcile(provisioning, { kind: "state", status: "running", message: null }, t("10:01:00"), deadline),
    ).toEqual({
      kind: "set",
      status: "running",
      message: null,
    });
  });

  it("waits for a starting VM until the deadline, then errors, at the boundary", () => {
    const starting = { kind: "state", status: "provisioning", message: null } as const;
    expect(reconcile(provisioning, starting, t("10:10:00"), deadline)).toEqual({ kind: "none" });
    const after = reconcile(provisioning, starting, new Date(t("10:10:00").getTime() + 1), deadline);
    expect(after).toMatchObject({ kind: "set", status: "error" });
    expect(after.kind === "set" && after.message).toMatch(/within 10 minutes: the VM is still starting/);
    expect(reconcile({ ...provisioning, providerVmId: null }, null, t("11:00:00"), deadline)).toMatchObject({
      status: "error",
      message: expect.stringMatching(/never created/),
    });
  });

  it("repairs drift and reports a vanished VM", () => {
    const running = { ...provisioning, status: "running" as const };
    expect(reconcile(running, { kind: "state", status: "paused", message: null }, t("12:00:00"))).toEqual({
      kind: "set",
      status: "paused",
      message: "the provider reports the VM suspended",
    });
    expect(reconcile(running, { kind: "state", status: "running", message: null }, t("12:00:00"))).toEqual({
      kind: "none",
    });
    expect(reconcile(running, { kind: "gone" }, t("12:00:00"))).toMatchObject({ status: "error" });
    expect(
      reconcile(
        running,
        { kind: "state", status: "error", message: 'Freestyle reported an unknown VM state "x"' },
        t("12:00:00"),
      ),
    ).toEqual({ kind: "set", status: "error", message: 'Freestyle reported an unknown VM state "x"' });
  });
});

describe("git sync report", () => {
  const a = "a".repeat(40);
  const b = "b".repeat(40);
  it.each([
    [`up_to_date ${b} ${b}`, "up_to_date"],
    [`dirty ${a} ${b}`, "dirty"],
    [`diverged ${a} ${b}`, "diverged"],
    [`ahead ${a} ${b}`, "ahead"],
    [`behind ${a} ${b}`, "behind"],
  ] as const)("reads %s", (line, status) => {
    const out = parseSyncReport(`noise\n${line}\n`, "", 0);
    expect(out.status).toBe(status);
    expect(out.remoteSha).toBe(line.split(" ")[2]);
  });

  it("turns anything else into an error in our words, never git's", () => {
    const failed = parseSyncReport("", "fatal: '/srv/x' does not appear to be a git repository", 128);
    expect(failed).toMatchObject({
      status: "error",
      message: "sync check failed (exit 128): repository not found or no access",
    });
    expect(
      parseSyncReport("fetch_failed abc -", "fatal: Authentication failed for 'https://h/'", 0, "h.test"),
    ).toMatchObject({
      status: "error",
      message:
        "git fetch failed in the VM: authentication failed for h.test: check your git credential for this host",
    });
    expect(parseSyncReport(`other_branch ${a} main`, "", 0)).toMatchObject({
      status: "error",
      message: expect.stringContaining("main"),
    });
  });

  it("quotes shell arguments safely", () => {
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
  });
});
