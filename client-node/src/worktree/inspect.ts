import { stat } from "node:fs/promises";
import { isAbsolute } from "node:path";
import { GitError, GitFailed, lsRemoteHead, tryGitInFolder } from "./git.ts";

/**
 * What "enable cloud" needs to know of a local git worktree — its origin URL and current branch —
 * and the refusals for what a cloud copy could not reproduce: not a repository, detached HEAD, no
 * commits, no origin, branch not pushed, local commits not pushed (with git's own reason).
 */
export interface WorktreeInfo {
  /** The worktree's top folder. */
  path: string;
  originUrl: string;
  branch: string;
  headSha: string;
}

/** A refusal, in words for the user. */
export class WorktreeError extends Error {
  override name = "WorktreeError";
}

const SHA = /^[0-9a-f]{40}([0-9a-f]{24})?$/;

export async function inspectWorktree(dir: string): Promise<WorktreeInfo> {
  if (!isAbsolute(dir)) throw new WorktreeError(`Choose a folder by its full path (got "${dir}")`);
  const info = await stat(dir).catch(() => null);
  if (!info) throw new WorktreeError(`${dir} does not exist`);
  if (!info.isDirectory()) throw new WorktreeError(`${dir} is not a folder`);

  const git = (cwd: string, args: string[]) => tryGitInFolder(cwd, args).catch(asWorktreeError);
  if ((await git(dir, ["rev-parse", "--is-inside-work-tree"])) !== "true")
    throw new WorktreeError(`${dir} is not a git repository (no git worktree found there)`);
  const top = (await git(dir, ["rev-parse", "--show-toplevel"])) ?? dir;
  const branch = await git(top, ["symbolic-ref", "--quiet", "--short", "HEAD"]);
  if (!branch) throw new WorktreeError(`${top} is on a detached HEAD: check out a branch first`);
  const headSha = await git(top, ["rev-parse", "--verify", "--quiet", "HEAD^{commit}"]);
  if (!headSha) throw new WorktreeError(`Branch "${branch}" in ${top} has no commits yet`);
  const originUrl = await git(top, ["remote", "get-url", "origin"]);
  if (!originUrl) throw new WorktreeError(`${top} has no remote named "origin" to clone the workspace from`);

  const remoteSha = await pushedHead(originUrl, branch);
  if (!remoteSha)
    throw new WorktreeError(
      `Branch "${branch}" is not pushed to origin yet; push it first (git push -u origin ${branch})`,
    );
  if (remoteSha !== headSha) {
    const known = (await git(top, ["cat-file", "-e", `${remoteSha}^{commit}`])) !== null;
    if (!known)
      throw new WorktreeError(
        `Branch "${branch}" differs from origin, which has commits this clone has not fetched: pull, push, then try again`,
      );
    const behindOnly = (await git(top, ["merge-base", "--is-ancestor", "HEAD", remoteSha])) !== null;
    if (!behindOnly) {
      const count = await git(top, ["rev-list", "--count", `${remoteSha}..HEAD`]);
      throw new WorktreeError(
        `${count ?? "Some"} commit${count === "1" ? " is" : "s are"} on "${branch}" but not on origin; push first (git push origin ${branch})`,
      );
    }
  }
  return { path: top, originUrl, branch, headSha };
}

/** The branch's commit on origin, or null when origin has no such branch. */
async function pushedHead(originUrl: string, branch: string): Promise<string | null> {
  let line: string;
  try {
    line = await lsRemoteHead(originUrl, `refs/heads/${branch}`);
  } catch (err) {
    if (err instanceof GitFailed)
      throw new WorktreeError(
        `Cannot reach origin (${originUrl}) to check the branch is pushed: ${err.message}`,
      );
    throw asWorktreeError(err);
  }
  const sha = line.split(/\s+/)[0] || null;
  if (sha !== null && !SHA.test(sha)) throw new WorktreeError(`origin (${originUrl}) answered nonsense`);
  return sha;
}

function asWorktreeError(err: unknown): never {
  if (err instanceof GitError) throw new WorktreeError(err.message);
  throw err;
}
