import type { GitSyncStatus } from "@cw/contracts/types";
import type { WorkspaceRow } from "../../core/workspace-store.ts";

/** Display strings for the list; pure, so they read the same in every window. */
export const syncLabel: Record<GitSyncStatus, string> = {
  unknown: "not checked",
  up_to_date: "up to date",
  behind: "behind origin",
  ahead: "ahead of origin",
  dirty: "local changes",
  diverged: "diverged",
  error: "sync error",
};

export function relativeTime(iso: string, now: Date): string {
  const ms = Date.parse(iso) - now.getTime();
  const mins = Math.round(Math.abs(ms) / 60_000);
  const span = mins < 1 ? "less than a minute" : mins < 120 ? `${mins} min` : `${Math.round(mins / 60)} h`;
  return ms >= 0 ? `in ${span}` : `${span} ago`;
}

export function autoStopText(w: WorkspaceRow, now: Date): string {
  if (w.autoStopMinutes === 0) return "never";
  if (w.autoStopAt) return `${w.autoStopAction} ${relativeTime(w.autoStopAt, now)}`;
  if (w.status === "running" && w.connectedCount > 0) return "not while connected";
  return `after ${w.autoStopMinutes} min idle`;
}
