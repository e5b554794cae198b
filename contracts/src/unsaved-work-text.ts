/**
 * Work only a workspace's VM holds, in words, the same in every client: the desktop's list and
 * delete dialog, and `cw ls` and `cw rm`. Plain functions of the counts (no zod, no imports), so
 * the desktop's page can bundle them.
 */

/** The git poller's counts on a workspace (`sync`, or the synced row's columns); null until counted. */
export interface UnsavedCounts {
  uncommittedFiles: number | null;
  untrackedFiles: number | null;
  unpushedCommits: number | null;
  stashes: number | null;
}

/** What a delete's live check found (the 409's `unsavedWork`). */
export interface UnsavedWorkFound {
  uncommittedFiles: number;
  untrackedFiles: number;
  unpushedCommits: number;
  stashes: number;
  branches: { name: string; unpushedCommits: number }[];
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** Short, for a Git column: `2 changed · 1 untracked · 3 unpushed · 1 stash`; "" when none or not counted. */
export function unsavedSummary(w: UnsavedCounts): string {
  return [
    w.uncommittedFiles ? `${w.uncommittedFiles} changed` : "",
    w.untrackedFiles ? `${w.untrackedFiles} untracked` : "",
    w.unpushedCommits ? `${w.unpushedCommits} unpushed` : "",
    w.stashes ? plural(w.stashes, "stash", "stashes") : "",
  ]
    .filter(Boolean)
    .join(" · ");
}

/** What a delete would lose, one line each, branch by branch. */
export function unsavedWorkLines(w: UnsavedWorkFound): string[] {
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
