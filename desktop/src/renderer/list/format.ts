import type { GitSyncStatus, UnsavedWork } from "@cw/contracts/types";
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

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The poller's counts of what only the VM holds, short, for the Git column; "" when none or unknown. */
export function unsavedSummary(
  w: Pick<WorkspaceRow, "uncommittedFiles" | "untrackedFiles" | "unpushedCommits" | "stashes">,
): string {
  return [
    w.uncommittedFiles ? `${w.uncommittedFiles} changed` : "",
    w.untrackedFiles ? `${w.untrackedFiles} untracked` : "",
    w.unpushedCommits ? `${w.unpushedCommits} unpushed` : "",
    w.stashes ? plural(w.stashes, "stash", "stashes") : "",
  ]
    .filter(Boolean)
    .join(" · ");
}

/** What a delete would lose, one line each, for the delete dialog. */
export function unsavedWorkLines(w: UnsavedWork): string[] {
  const branches = w.branches.map((b) => `${b.name}: ${b.unpushedCommits}`).join(", ");
  return [
    w.uncommittedFiles ? `${plural(w.uncommittedFiles, "file")} with uncommitted changes` : "",
    w.untrackedFiles ? plural(w.untrackedFiles, "untracked file") : "",
    w.unpushedCommits
      ? `${plural(w.unpushedCommits, "commit")} on no branch of the git host${branches ? ` (${branches})` : ""}`
      : "",
    w.stashes ? plural(w.stashes, "stash", "stashes") : "",
  ].filter(Boolean);
}
