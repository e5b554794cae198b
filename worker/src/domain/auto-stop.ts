import { type AutoStopAction, autoStopAtOf, type WorkspaceStatus } from "@cw/contracts";

export interface AutoStopRow {
  status: WorkspaceStatus;
  autoStopMinutes: number;
  lastActiveAt: Date;
  operation: string | null;
}

/** What the workspace's presence object (the authority) says keeps it running, and its last activity. */
export interface LivePresence {
  sessions: readonly unknown[];
  holds: readonly { until: number }[];
  lastActiveAt: number | null;
}

/**
 * True when the scheduler should stop `ws` at `now`: the contract's rule (`autoStopAtOf`, the one
 * definition, which the database's auto_stop_at trigger mirrors) applied to the presence object's
 * live sessions and holds and the later of the row's and the object's last activity — never while
 * another operation holds the workspace.
 */
export function isDueForAutoStop(ws: AutoStopRow, live: LivePresence, now: Date): boolean {
  if (ws.operation !== null) return false;
  const at = autoStopAtOf({
    status: ws.status,
    autoStopMinutes: ws.autoStopMinutes,
    lastActiveAt: new Date(Math.max(ws.lastActiveAt.getTime(), live.lastActiveAt ?? 0)),
    presence: { sessions: live.sessions, holds: live.holds.map((h) => ({ until: new Date(h.until) })) },
  });
  return at !== null && at.getTime() <= now.getTime();
}

export function autoStopMessage(action: AutoStopAction, minutes: number): string {
  const verb = action === "pause" ? "paused" : "stopped";
  return `auto-${verb} after ${minutes} minute${minutes === 1 ? "" : "s"} without activity`;
}
