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

/** What auto-stop does once the workspace runs (while it runs, its activity line says when). */
export function autoStopRule(w: Pick<WorkspaceRow, "autoStopMinutes" | "autoStopAction">): string {
  if (w.autoStopMinutes === 0) return "auto-stop off";
  return `auto-${w.autoStopAction} after ${w.autoStopMinutes} min idle`;
}
