import type { GitSyncStatus } from "@cw/contracts";

/** Quotes a value for a POSIX shell, whatever it contains. */
export const shellQuote = (value: string) => `'${value.replaceAll("'", `'\\''`)}'`;

/** `git ls-remote` of one branch, run in a VM that can reach the repository. Prints the sha or nothing. */
export function remoteHeadCommand(branch: string): string {
  return `git ls-remote origin ${shellQuote(`refs/heads/${branch}`)} | cut -f1`;
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

/** Reads the sync command's report; anything unexpected is an error carrying the output. */
export function parseSyncReport(stdout: string, stderr: string, exitCode: number | null): SyncOutcome {
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
        message: `the checkout is on ${remote}, not this branch`,
      };
    case "fetch_failed":
      return { status: "error", localSha, remoteSha: null, message: "git fetch failed in the VM" };
    default:
      return {
        status: "error",
        localSha: null,
        remoteSha: null,
        message: `sync check failed (exit ${exitCode}): ${(stderr || stdout).trim().slice(0, 500)}`,
      };
  }
}
