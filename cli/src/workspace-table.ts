import type { Repository, Workspace } from "@cw/contracts/types";
import { unsavedSummary } from "@cw/contracts/unsaved-work-text";

/** How long until `iso` from `now`, as people read it: `<1m`, `42m`, `3h 5m`, `2d 4h`. */
export function timeUntil(iso: string, now: Date): string {
  const minutes = Math.floor((Date.parse(iso) - now.getTime()) / 60_000);
  if (minutes < 1) return "<1m";
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours}h ${minutes % 60}m`;
  return `${Math.floor(hours / 24)}d ${hours % 24}h`;
}

/**
 * What git sync says, in words, and what only the VM holds as the poller last counted it:
 * `up to date`, `behind`, `dirty: <why> (2 changed · 1 unpushed)`…
 */
function gitSync(w: Workspace): string {
  const status = w.sync.status.replace(/_/g, " ");
  const said = w.sync.message && w.sync.status !== "up_to_date" ? `${status}: ${w.sync.message}` : status;
  const unsaved = unsavedSummary(w.sync);
  return unsaved ? `${said} (${unsaved})` : said;
}

export const WORKSPACE_COLUMNS = ["NAME", "BRANCH", "STATUS", "CONNECTED", "AUTO-STOP IN", "GIT SYNC"];

/** One workspace as a row of `cw ls`; a status message (an error's reason) follows the status. */
export function workspaceRow(w: Workspace, now: Date): string[] {
  const status = w.statusMessage && w.status === "error" ? `error: ${w.statusMessage}` : w.status;
  return [
    w.name,
    w.branch,
    w.operation ? `${status} (${w.operation}…)` : status,
    String(w.connectedCount),
    w.autoStopAt ? timeUntil(w.autoStopAt, now) : "-",
    gitSync(w),
  ];
}

export const REPOSITORY_COLUMNS = ["NAME", "DEFAULT BRANCH", "URL", "ID"];

export const repositoryRow = (r: Repository): string[] => [r.name, r.defaultBranch, r.cloneUrl, r.id];
