import type { UnsavedWork } from "@cw/contracts";
import { describeGitFailure } from "./git-failure.ts";
import { NON_INTERACTIVE_GIT, shellQuote } from "./shell.ts";

/**
 * Work that exists only in a workspace's VM, found by git in its checkout: uncommitted changes to
 * tracked files, untracked files (.gitignore respected), commits on no branch of the git host, and
 * stashes. Pure: the commands the VM runs and the reading of their reports.
 */

/** Local branches reported by name (the counts cover them all). */
const MAX_BRANCHES = 50;

/**
 * Prints `work <uncommitted> <untracked> <unpushed> <stashes>` and a `branch <n> <name>` line per
 * local branch with commits the git host lacks; or `no_checkout`. With `fetch`, the remote branches
 * are fetched first (best effort: a deleted or rewritten remote branch must not pass for saved).
 */
export function unsavedWorkCommand(opts: { fetch: boolean }): string {
  return [
    "set -u",
    NON_INTERACTIVE_GIT,
    "git rev-parse --is-inside-work-tree >/dev/null 2>&1 || { echo no_checkout; exit 0; }",
    ...(opts.fetch
      ? [
          "git -c http.lowSpeedLimit=1000 -c http.lowSpeedTime=30 fetch --quiet --prune origin >/dev/null 2>&1 || echo fetch_failed",
        ]
      : []),
    "uncommitted=$(git status --porcelain --untracked-files=no | wc -l)",
    "untracked=$(git ls-files --others --exclude-standard | wc -l)",
    "stashes=$(git stash list | wc -l)",
    // Commits reachable from HEAD (detached included) or any local branch, but from no remote branch.
    "if git rev-parse --verify -q HEAD >/dev/null; then unpushed=$(git rev-list --count HEAD --branches --not --remotes); else unpushed=$(git rev-list --count --branches --not --remotes); fi",
    'echo "work $uncommitted $untracked $unpushed $stashes"',
    `git for-each-ref --format='%(refname)' refs/heads/ | while read -r ref; do n=$(git rev-list --count "$ref" --not --remotes); [ "$n" -gt 0 ] && echo "branch $n \${ref#refs/heads/}"; done | head -n ${MAX_BRANCHES}`,
  ].join("\n");
}

export type WorkReport =
  | { kind: "checked"; work: UnsavedWork; fetched: boolean }
  | { kind: "no_checkout" }
  | { kind: "unreadable" };

const COUNTS = /^work (\d+) (\d+) (\d+) (\d+)$/;
const BRANCH = /^branch (\d+) (\S+)$/;

/** Reads `unsavedWorkCommand`'s output (it may follow other output, as in the git poller's). */
export function parseWorkReport(stdout: string): WorkReport {
  const lines = stdout.split("\n").map((l) => l.trim());
  if (lines.includes("no_checkout")) return { kind: "no_checkout" };
  const counts = lines.map((l) => COUNTS.exec(l)).find((m) => m !== null);
  if (!counts) return { kind: "unreadable" };
  const [uncommittedFiles, untrackedFiles, unpushedCommits, stashes] = counts.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
  ];
  const branches = lines
    .map((l) => BRANCH.exec(l))
    .filter((m) => m !== null)
    .map((m) => ({ name: m[2]!, unpushedCommits: Number(m[1]) }));
  return {
    kind: "checked",
    work: { uncommittedFiles, untrackedFiles, unpushedCommits, stashes, branches },
    fetched: !lines.includes("fetch_failed"),
  };
}

/** `cw/wip/<workspace>-<timestamp>`: the workspace's name made ref-safe, and the UTC time to the second. */
export function wipBranchName(workspace: { name: string; id: string }, now: Date): string {
  const slug =
    workspace.name
      .normalize("NFKD")
      .replace(/\p{M}/gu, "")
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 40)
      .replace(/-+$/, "") || workspace.id.slice(0, 8);
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
  return `cw/wip/${slug}-${stamp}`;
}

/**
 * Saves the work to the git host without touching the checkout: everything (untracked files
 * included, .gitignore respected) is committed from a temporary index onto a new commit whose
 * parent is HEAD, pushed as `wip`; each stash as `<wip>-stash-<n>`; and every local branch with
 * commits the git host lacks under its own name — in one push. Prints `pushed <branch>` for each
 * after the push succeeded, `nothing` when there was nothing to push, or `push_failed` and git's
 * output (then nothing was deleted, and the VM is as it was).
 */
export function preserveCommand(workspaceName: string, wip: string): string {
  const message = shellQuote(`Work saved from cloud workspace "${workspaceName}" before it was deleted`);
  return [
    "set -u",
    NON_INTERACTIVE_GIT,
    "fail() { printf 'push_failed\\n%s\\n' \"$1\" | tail -c 4000; exit 0; }",
    `wip=${shellQuote(wip)}`,
    "set --",
    'names=""',
    // Commits need an author; the VM's own identity when it has one.
    `[ -n "$(git config user.name)" ] || export GIT_AUTHOR_NAME='Cloud workspaces' GIT_COMMITTER_NAME='Cloud workspaces'`,
    `[ -n "$(git config user.email)" ] || export GIT_AUTHOR_EMAIL='cloud-workspaces@localhost' GIT_COMMITTER_EMAIL='cloud-workspaces@localhost'`,
    "head=$(git rev-parse --verify -q HEAD || true)",
    "detached=0",
    'if [ -n "$head" ] && ! git symbolic-ref -q HEAD >/dev/null; then detached=$(git rev-list --count "$head" --not --remotes --branches); fi',
    'if [ -n "$(git status --porcelain --untracked-files=all | head -n 1)" ] || [ "$detached" -gt 0 ]; then',
    "  index=$(git rev-parse --git-path cw-wip-index)",
    '  rm -f "$index"',
    '  if [ -n "$head" ]; then cp "$(git rev-parse --git-path index)" "$index" 2>/dev/null || GIT_INDEX_FILE="$index" git read-tree "$head"; fi',
    '  out=$(GIT_INDEX_FILE="$index" git add -A 2>&1) || fail "$out"',
    '  tree=$(GIT_INDEX_FILE="$index" git write-tree 2>&1) || fail "$tree"',
    '  rm -f "$index"',
    `  if [ -n "$head" ]; then commit=$(git commit-tree "$tree" -p "$head" -m ${message} 2>&1) || fail "$commit"; else commit=$(git commit-tree "$tree" -m ${message} 2>&1) || fail "$commit"; fi`,
    '  set -- "$@" "$commit:refs/heads/$wip"',
    '  names="$wip"',
    "fi",
    "i=0",
    'for s in $(git log -g --format=%H refs/stash 2>/dev/null); do set -- "$@" "$s:refs/heads/$wip-stash-$i"; names="$names $wip-stash-$i"; i=$((i + 1)); done',
    "for ref in $(git for-each-ref --format='%(refname)' refs/heads/); do",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the shell's parameter expansion, not a template.
    '  if [ "$(git rev-list --count "$ref" --not --remotes)" -gt 0 ]; then set -- "$@" "$ref:$ref"; names="$names ${ref#refs/heads/}"; fi',
    "done",
    "[ $# -gt 0 ] || { echo nothing; exit 0; }",
    'out=$(git push --quiet origin "$@" 2>&1) || fail "$out"',
    'for n in $names; do echo "pushed $n"; done',
  ].join("\n");
}

export type PreserveOutcome = { ok: true; pushed: string[] } | { ok: false; why: string };

/** Reads `preserveCommand`'s output; `host` names the repository's host in a failure. */
export function parsePreserveReport(
  out: { stdout: string; exitCode: number | null },
  host: string | null,
): PreserveOutcome {
  const lines = out.stdout.trim().split("\n");
  if (lines[0] === "push_failed")
    return { ok: false, why: describeGitFailure(lines.slice(1).join("\n"), host) };
  if (out.exitCode === null) return { ok: false, why: `${host ?? "the git host"} did not answer in time` };
  if (lines.length === 1 && lines[0] === "nothing") return { ok: true, pushed: [] };
  const pushed = lines.filter((l) => l.startsWith("pushed ")).map((l) => l.slice("pushed ".length));
  if (pushed.length === 0) return { ok: false, why: "the VM did not report what it pushed" };
  return { ok: true, pushed };
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** "2 changed files, 1 untracked file, 3 unpushed commits, 1 stash": what a delete would lose. */
export function describeUnsavedWork(w: Omit<UnsavedWork, "branches">): string {
  return [
    w.uncommittedFiles && plural(w.uncommittedFiles, "changed file"),
    w.untrackedFiles && plural(w.untrackedFiles, "untracked file"),
    w.unpushedCommits && `${plural(w.unpushedCommits, "commit")} on no branch of the git host`,
    w.stashes && plural(w.stashes, "stash", "stashes"),
  ]
    .filter(Boolean)
    .join(", ");
}
