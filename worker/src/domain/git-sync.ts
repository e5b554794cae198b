import type { GitSyncStatus } from "@cw/contracts";
import { describeGitFailure } from "./git-failure.ts";
import { NON_INTERACTIVE_GIT, shellQuote } from "./shell.ts";
import { messageText } from "./vm-text.ts";

/**
 * `git ls-remote` of one branch, run in a VM that can reach the repository (its git asks the
 * credential helper for a private one). Prints the sha, nothing when the branch does not exist, or
 * git's error on stderr.
 */
export function remoteHeadCommand(branch: string): string {
  return `${NON_INTERACTIVE_GIT}\ngit ls-remote origin ${shellQuote(`refs/heads/${branch}`)} | cut -f1`;
}

/** Why `remoteHeadCommand` printed no sha, in our words. */
export function describeRemoteHeadFailure(
  branch: string,
  out: { stderr: string; exitCode: number | null },
  host: string | null,
): string {
  if (out.exitCode === null) return `${host ?? "the git host"} did not answer in time`;
  // The pipe's status is cut's: git's failure shows on stderr.
  if (!out.stderr.trim()) return `branch ${branch} not found on the git host`;
  return describeGitFailure(out.stderr, host);
}

/**
 * Brings the checkout to `remoteSha` by fast-forward only, and reports where it stands as
 * "<status> <local sha> <remote sha>" on its last line. It never touches a checkout with local
 * changes, a different branch checked out, or history that diverged.
 */
export function syncCommand(branch: string, remoteSha: string): string {
  const ref = shellQuote(`refs/heads/${branch}`);
  const sha = shellQuote(remoteSha);
  return [
    "set -u",
    NON_INTERACTIVE_GIT,
    `current=$(git symbolic-ref --quiet --short HEAD || echo '(detached)')`,
    `if [ "$current" != ${shellQuote(branch)} ]; then echo "other_branch $(git rev-parse HEAD) $current"; exit 0; fi`,
    `git fetch --quiet origin ${ref} || { echo "fetch_failed $(git rev-parse HEAD) -"; exit 0; }`,
    `local_sha=$(git rev-parse HEAD)`,
    `if [ "$local_sha" = ${sha} ]; then echo "up_to_date $local_sha ${remoteSha}"; exit 0; fi`,
    `if ! git cat-file -e ${sha}^{commit} 2>/dev/null; then echo "behind $local_sha ${remoteSha}"; exit 0; fi`,
    `if [ -n "$(git status --porcelain --untracked-files=no)" ]; then echo "dirty $local_sha ${remoteSha}"; exit 0; fi`,
    `if git merge-base --is-ancestor HEAD ${sha}; then git merge --quiet --ff-only ${sha} >/dev/null && echo "up_to_date $(git rev-parse HEAD) ${remoteSha}"; exit 0; fi`,
    `if git merge-base --is-ancestor ${sha} HEAD; then echo "ahead $local_sha ${remoteSha}"; exit 0; fi`,
    `echo "diverged $local_sha ${remoteSha}"`,
  ].join("\n");
}

export interface SyncOutcome {
  status: GitSyncStatus;
  localSha: string | null;
  remoteSha: string | null;
  message: string | null;
}

const SHA = /^[0-9a-f]{40,64}$/;

/**
 * Reads the sync command's report (its last line); anything unexpected is an error in our words.
 * Every message is fit to store and show (vm-text.ts), whatever the VM printed.
 */
export function parseSyncReport(
  stdout: string,
  stderr: string,
  exitCode: number | null,
  host: string | null = null,
): SyncOutcome {
  const last = stdout.trim().split("\n").at(-1) ?? "";
  const [word, local, remote] = last.split(" ");
  const localSha = local && SHA.test(local) ? local : null;
  const remoteSha = remote && SHA.test(remote) ? remote : null;
  switch (word) {
    case "up_to_date":
      return { status: "up_to_date", localSha, remoteSha, message: null };
    case "behind":
      return {
        status: "behind",
        localSha,
        remoteSha,
        message: "the new commit is not reachable from the VM yet",
      };
    case "dirty":
      return { status: "dirty", localSha, remoteSha, message: "local changes in the checkout; not updated" };
    case "ahead":
      return { status: "ahead", localSha, remoteSha, message: "the checkout has commits the git host lacks" };
    case "diverged":
      return {
        status: "diverged",
        localSha,
        remoteSha,
        message: "the checkout and the git host diverged; not updated",
      };
    case "other_branch":
      return {
        status: "error",
        localSha,
        remoteSha: null,
        // The VM's branch name is the VM's to choose (any length, bidirectional controls).
        message: messageText(`the checkout is on ${remote ?? "?"}, not this branch`),
      };
    case "fetch_failed":
      return {
        status: "error",
        localSha,
        remoteSha: null,
        message: `git fetch failed in the VM: ${describeGitFailure(stderr, host)}`,
      };
    case "no_checkout":
      return {
        status: "error",
        localSha: null,
        remoteSha: null,
        message: "the VM has no checkout of the repository",
      };
    default:
      return {
        status: "error",
        localSha: null,
        remoteSha: null,
        message:
          exitCode === null
            ? "the sync did not finish in time"
            : `sync check failed (exit ${exitCode}): ${describeGitFailure(`${stderr}\n${stdout}`, host)}`,
      };
  }
}
