import type { AutoStopAction, WorkspaceStatus } from "@cw/contracts";

export interface AutoStopSubject {
  status: WorkspaceStatus;
  autoStopMinutes: number;
  lastActiveAt: Date;
  connectedCount: number;
  operation: string | null;
}

/**
 * When idle auto-stop acts on this workspace, or null if it never will in its current state:
 * only a running workspace with auto-stop enabled (minutes > 0) and nobody connected has one.
 * The database keeps the same rule in the auto_stop_at trigger (migration 0002).
 */
export function autoStopAt(ws: AutoStopSubject): Date | null {
  if (ws.status !== "running" || ws.autoStopMinutes <= 0 || ws.connectedCount > 0) return null;
  return new Date(ws.lastActiveAt.getTime() + ws.autoStopMinutes * 60_000);
}

/** True when the scheduler should stop `ws` at `now`; `liveSessions` is the Durable Object's count. */
export function isDueForAutoStop(ws: AutoStopSubject, liveSessions: number, now: Date): boolean {
  if (ws.operation !== null || liveSessions > 0) return false;
  const at = autoStopAt({ ...ws, connectedCount: liveSessions });
  return at !== null && at.getTime() <= now.getTime();
}

export function autoStopMessage(action: AutoStopAction, minutes: number): string {
  const verb = action === "pause" ? "paused" : "stopped";
  return `auto-${verb} after ${minutes} minute${minutes === 1 ? "" : "s"} without activity`;
}
