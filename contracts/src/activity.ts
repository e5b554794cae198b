import type { AutoStopAction, WorkspaceStatus } from "./enums.ts";
import type { Activity, ConnectedUser, Hold, WorkspacePresence } from "./schemas/activity.ts";

/**
 * Why a workspace is running, or when and why it will stop: one pure function of the workspace's
 * row, its presence (sessions and holds) and `now`. The worker answers it as `Workspace.activity`;
 * the desktop and `cw` run the same function on the synced row. The database keeps the same
 * auto-stop rule in its auto_stop_at trigger (migrations 0002, 0011), which the scheduler selects by.
 *
 * Only sessions, holds and lifecycle calls (create, resume: they set lastActiveAt) count as
 * activity. A hold is activity for as long as it lasts, so the idle countdown starts at its end.
 */
export interface ActivitySubject {
  status: WorkspaceStatus;
  autoStopMinutes: number;
  lastActiveAt: string | Date;
  /** The row's count of live sessions, when it has one: the same fact as `presence.sessions`. */
  connectedCount?: number;
  presence: WorkspacePresence;
}

/** How many are connected: the row's count when it says, else the sessions it names. */
const connectedOf = (ws: { connectedCount?: number; presence: { sessions: readonly unknown[] } }) =>
  ws.connectedCount ?? ws.presence.sessions.length;

/**
 * What the auto-stop rule reads: the row's status, minutes and last activity, and who and what
 * holds the workspace (only how many sessions, and when each hold ends). The worker's idle-stop
 * job passes its presence object's live sessions and holds; clients pass the synced `presence`.
 */
export interface AutoStopSubject {
  status: WorkspaceStatus;
  autoStopMinutes: number;
  lastActiveAt: string | Date;
  /** Overrides `presence.sessions.length` (the row's mirror of it). */
  connectedCount?: number;
  presence: { sessions: readonly unknown[]; holds: readonly { until: string | Date }[] };
}

const ms = (t: string | Date) => (typeof t === "string" ? Date.parse(t) : t.getTime());

/** Holds that have not ended at `now`. */
export const liveHolds = (holds: Hold[], now: Date) => holds.filter((h) => ms(h.until) > now.getTime());

/**
 * When idle auto-stop acts if nothing changes: the later of the last activity and the last hold's
 * end, plus autoStopMinutes — for a running workspace with auto-stop on and nobody connected.
 */
export function autoStopAtOf(ws: AutoStopSubject): Date | null {
  if (ws.status !== "running" || ws.autoStopMinutes <= 0 || connectedOf(ws) > 0) return null;
  const lastHoldEnd = Math.max(...ws.presence.holds.map((h) => ms(h.until)), Number.NEGATIVE_INFINITY);
  return new Date(Math.max(ms(ws.lastActiveAt), lastHoldEnd) + ws.autoStopMinutes * 60_000);
}

export function explainActivity(ws: ActivitySubject, now: Date): Activity {
  const sessions = ws.presence.sessions;
  const holds = liveHolds(ws.presence.holds, now);
  const at = autoStopAtOf(ws);
  const state: Activity["state"] =
    ws.status !== "running"
      ? "not_running"
      : connectedOf(ws) > 0
        ? "held_by_sessions"
        : holds.length > 0
          ? "held_by_holds"
          : ws.autoStopMinutes <= 0
            ? "auto_stop_off"
            : "counting_down";
  return { state, autoStopAt: at?.toISOString() ?? null, sessions, holds };
}

/** How a client shows an instant (e.g. "18:00" in the user's time zone). */
export type FormatTime = (at: Date) => string;

const minutesBetween = (from: number, to: number) => Math.max(0, Math.round((to - from) / 60_000));

function describeSession(s: ConnectedUser, now: Date) {
  return `${s.name} (${s.clientType}, ${minutesBetween(ms(s.since), now.getTime())} min)`;
}

function describeHolds(holds: Hold[], formatTime: FormatTime) {
  if (holds.length === 1)
    return `a hold '${holds[0]!.reason}' until ${formatTime(new Date(holds[0]!.until))}`;
  const last = Math.max(...holds.map((h) => ms(h.until)));
  return `${holds.length} holds until ${formatTime(new Date(last))}`;
}

/**
 * One line for people: "running because alice (desktop, 12 min) and a hold 'nightly build' until
 * 18:00", "idle: auto-pause at 17:45 (in 12 min)", "paused".
 */
export function describeActivity(
  ws: ActivitySubject & { autoStopAction: AutoStopAction },
  activity: Activity,
  now: Date,
  formatTime: FormatTime,
): string {
  const { state, sessions, holds } = activity;
  const stopAt = activity.autoStopAt ? new Date(activity.autoStopAt) : null;
  const stopping = stopAt
    ? `auto-${ws.autoStopAction} at ${formatTime(stopAt)} (in ${minutesBetween(now.getTime(), stopAt.getTime())} min)`
    : null;
  switch (state) {
    case "not_running":
      return ws.status;
    case "auto_stop_off":
      return "running; auto-stop is off";
    case "counting_down":
      return `idle: ${stopping}`;
    case "held_by_holds":
      return `running because of ${describeHolds(holds, formatTime)}${stopping ? `; then ${stopping}` : ""}`;
    case "held_by_sessions": {
      // Names arrive with the presence object's write-through; a count can come first.
      const people =
        sessions.length > 0 ? sessions.map((s) => describeSession(s, now)) : ["someone is connected"];
      const shown = people.length > 3 ? [...people.slice(0, 3), `${people.length - 3} more`] : people;
      const held = holds.length > 0 ? ` and ${describeHolds(holds, formatTime)}` : "";
      return `running because ${shown.join(", ")}${held}`;
    }
  }
}
