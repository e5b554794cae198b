import { describeActivity } from "@cw/contracts/activity";
import { localTimeFormat } from "@cw/contracts/local-time";
import type { Repository, Workspace } from "@cw/contracts/types";
import { unsavedSummary } from "@cw/contracts/unsaved-work-text";

/**
 * Why it runs, or when and why it will stop, in one line (the contract's `describeActivity` on the
 * API's `activity`, times in the user's time zone): "running because alice (cli, 12 min) and a
 * hold 'nightly build' until 18:00", "idle: auto-pause at 17:45 (in 12 min)"; `-` when it is not
 * running (the status says so already).
 */
export function activityLine(w: Workspace, now: Date): string {
  if (w.activity.state === "not_running") return "-";
  const presence = { sessions: w.activity.sessions, holds: w.activity.holds };
  return describeActivity({ ...w, presence }, w.activity, now, localTimeFormat(now));
}

/** The status, with an error's reason and the operation in flight: `error: clone failed`, `running (pause…)`. */
export function statusText(w: Workspace): string {
  const status = w.statusMessage && w.status === "error" ? `error: ${w.statusMessage}` : w.status;
  return w.operation ? `${status} (${w.operation}…)` : status;
}

/**
 * What git sync says, in words, and what only the VM holds as the poller last counted it:
 * `up to date`, `behind`, `dirty: <why> (2 changed · 1 unpushed)`…
 */
export function gitSync(w: Workspace): string {
  const status = w.sync.status.replace(/_/g, " ");
  const said = w.sync.message && w.sync.status !== "up_to_date" ? `${status}: ${w.sync.message}` : status;
  const unsaved = unsavedSummary(w.sync);
  return unsaved ? `${said} (${unsaved})` : said;
}

/** Activity last: the longest cell, and the last column is not padded. */
export const WORKSPACE_COLUMNS = ["NAME", "BRANCH", "STATUS", "GIT SYNC", "ACTIVITY"];

/** One workspace as a row of `cw ls` (and of the lifecycle commands' answers). */
export function workspaceRow(w: Workspace, now: Date): string[] {
  return [w.name, w.branch, statusText(w), gitSync(w), activityLine(w, now)];
}

export const REPOSITORY_COLUMNS = ["NAME", "DEFAULT BRANCH", "URL", "ID"];

export const repositoryRow = (r: Repository): string[] => [r.name, r.defaultBranch, r.cloneUrl, r.id];
