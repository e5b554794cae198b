import { type AutoStopAction, autoStopAtOf, type WorkspaceStatus } from "@cw/contracts";

export interface AutoStopRow {
  status: WorkspaceStatus;
  autoStopMinutes: number;
  lastActiveAt: Date;
  operation: string | null;
  /** The row's presence as last written through: its holds' ends count even once they are over. */
  presence: { holds: readonly { until: string }[] };
}

/** What the workspace's presence object (the authority) says keeps it running now. */
export interface LivePresence {
  sessions: readonly unknown[];
  holds: readonly { until: number }[];
}

/**
 * True when the scheduler should stop `ws` at `now`: the contract's rule (`autoStopAtOf`, the one
 * definition, which the database's auto_stop_at trigger mirrors) applied to the presence object's
 * live sessions and holds — plus the holds the row still shows, so a hold that ended after the
 * row was read, or whose end has not reached Postgres yet, still counts until its end — never
 * while another operation holds the workspace.
 */
export function isDueForAutoStop(ws: AutoStopRow, live: LivePresence, now: Date): boolean {
  if (ws.operation !== null) return false;
  const at = autoStopAtOf({
    status: ws.status,
    autoStopMinutes: ws.autoStopMinutes,
    lastActiveAt: ws.lastActiveAt,
    presence: {
      sessions: live.sessions,
      holds: [...live.holds.map((h) => ({ until: new Date(h.until) })), ...ws.presence.holds],
    },
  });
  return at !== null && at.getTime() <= now.getTime();
}

export function autoStopMessage(action: AutoStopAction, minutes: number): string {
  const verb = action === "pause" ? "paused" : "stopped";
  return `auto-${verb} after ${minutes} minute${minutes === 1 ? "" : "s"} without activity`;
}
