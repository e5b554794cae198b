import { execFile } from "node:child_process";
import { stat } from "node:fs/promises";
import { basename, isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { ApiClient } from "@cw/contracts/client";
import type { EnableCloudInput, EnableCloudResult, WorktreeInfo } from "../shared/ipc.ts";
import type { WorkspaceStore } from "./workspace-store.ts";

/**
 * "Enable cloud" for a local git worktree: read its origin URL and current branch with git, refuse
 * what the cloud copy could not reproduce (not a repository, detached HEAD, branch not pushed, local
 * commits not pushed), then register the repository if needed, create the workspace and link them.
 */
export class WorktreeError extends Error {
  override name = "WorktreeError";
}

function git(cwd: string, args: string[], timeoutMs = 20_000): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    execFile(
      "git",
      args,
      {
        cwd,
        timeout: timeoutMs,
        maxBuffer: 1024 * 1024,
        // Never hang on a credential or host-key prompt: the app has no terminal to answer it.
        env: {
          ...process.env,
          GIT_TERMINAL_PROMPT: "0",
          GIT_SSH_COMMAND: process.env.GIT_SSH_COMMAND ?? "ssh -o BatchMode=yes",
          LC_ALL: "C",
        },
      },
      (err, stdout, stderr) => {
        if (err) {
          const e = err as NodeJS.ErrnoException & { killed?: boolean };
          if (e.code === "ENOENT") return reject(new WorktreeError("git is not installed (or not on PATH)"));
          if (e.killed) return reject(new WorktreeError(`git ${args[0]} timed out`));
          return reject(Object.assign(new Error(stderr.trim() || e.message), { gitFailed: true }));
        }
        resolvePromise(stdout.trim());
      },
    );
  });
}

const tryGit = (cwd: string, args: string[]) =>
  git(cwd, args).then(
    (out) => out,
    (err) => {
      if (err instanceof WorktreeError) throw err;
      return null;
    },
  );

export async function inspectWorktree(dir: string): Promise<WorktreeInfo> {
  if (!isAbsolute(dir)) throw new WorktreeError(`Choose a folder by its full path (got "${dir}")`);
  const info = await stat(dir).catch(() => null);
  if (!info) throw new WorktreeError(`${dir} does not exist`);
  if (!info.isDirectory()) throw new WorktreeError(`${dir} is not a folder`);

  if ((await tryGit(dir, ["rev-parse", "--is-inside-work-tree"])) !== "true")
    throw new WorktreeError(`${dir} is not a git repository (no git worktree found there)`);
  const top = (await tryGit(dir, ["rev-parse", "--show-toplevel"])) ?? dir;
  const branch = await tryGit(top, ["symbolic-ref", "--quiet", "--short", "HEAD"]);
  if (!branch) throw new WorktreeError(`${top} is on a detached HEAD: check out a branch first`);
  const headSha = await tryGit(top, ["rev-parse", "--verify", "--quiet", "HEAD^{commit}"]);
  if (!headSha) throw new WorktreeError(`Branch "${branch}" in ${top} has no commits yet`);
  const originUrl = await tryGit(top, ["remote", "get-url", "origin"]);
  if (!originUrl) throw new WorktreeError(`${top} has no remote named "origin" to clone the workspace from`);

  let remoteLine: string;
  try {
    remoteLine = await git(top, ["ls-remote", "--heads", "origin", `refs/heads/${branch}`]);
  } catch (err) {
    if (err instanceof WorktreeError) throw err;
    throw new WorktreeError(
      `Cannot reach origin (${originUrl}) to check the branch is pushed: ${(err as Error).message}`,
    );
  }
  const remoteSha = remoteLine.split(/\s+/)[0] || null;
  if (!remoteSha)
    throw new WorktreeError(
      `Branch "${branch}" is not pushed to origin yet; push it first (git push -u origin ${branch})`,
    );
  if (remoteSha !== headSha) {
    const known = (await tryGit(top, ["cat-file", "-e", `${remoteSha}^{commit}`])) !== null;
    if (!known)
      throw new WorktreeError(
        `Branch "${branch}" differs from origin, which has commits this clone has not fetched: pull, push, then try again`,
      );
    const behindOnly = (await tryGit(top, ["merge-base", "--is-ancestor", "HEAD", remoteSha])) !== null;
    if (!behindOnly) {
      const count = await tryGit(top, ["rev-list", "--count", `${remoteSha}..HEAD`]);
      throw new WorktreeError(
        `${count ?? "Some"} commit${count === "1" ? " is" : "s are"} on "${branch}" but not on origin; push first (git push origin ${branch})`,
      );
    }
  }
  return { path: top, originUrl, branch, headSha };
}

/** The URL the worker clones: local paths become file:// URLs, others pass through. */
export function cloneUrlOf(originUrl: string, worktree: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(originUrl) || /^[\w.-]+@[\w.-]+:/.test(originUrl)) return originUrl;
  return pathToFileURL(resolve(worktree, originUrl)).href;
}

/** Identity of a remote regardless of spelling: scheme, user, ".git" and trailing slashes ignored. */
export function remoteKey(url: string): string {
  const scp = /^[\w.-]+@([\w.-]+):(.+)$/.exec(url);
  let host = "";
  let path = url;
  if (scp) {
    host = scp[1]!;
    path = scp[2]!;
  } else {
    try {
      const u = new URL(url);
      host = u.protocol === "file:" ? "" : u.hostname;
      path = decodeURIComponent(u.pathname);
    } catch {
      // A bare path.
    }
  }
  path = path
    .replace(/\/+$/, "")
    .replace(/\.git$/, "")
    .replace(/^\/+/, "");
  return `${host.toLowerCase()}/${path}`;
}

export interface EnableCloudDeps {
  api: Pick<ApiClient, "listRepositories" | "createRepository" | "createWorkspace">;
  store: Pick<WorkspaceStore, "snapshot" | "setLink">;
}

export async function enableCloud(
  deps: EnableCloudDeps,
  input: EnableCloudInput,
): Promise<EnableCloudResult> {
  const wt = await inspectWorktree(input.path);
  const existing = deps.store.snapshot().links.find((l) => l.worktreePath === wt.path && l.cloudSyncEnabled);
  if (existing && deps.store.snapshot().workspaces.some((w) => w.id === existing.cloudWorkspaceId))
    throw new WorktreeError(`${wt.path} already has a cloud workspace`);

  const cloneUrl = cloneUrlOf(wt.originUrl, wt.path);
  const key = remoteKey(cloneUrl);
  const repos = (await deps.api.listRepositories()).items;
  let repo = repos.find((r) => remoteKey(r.cloneUrl) === key);
  const repositoryCreated = !repo;
  if (!repo) {
    const head = await tryGit(wt.path, ["symbolic-ref", "--quiet", "--short", "refs/remotes/origin/HEAD"]);
    const name = basename(key) || basename(wt.path);
    const taken = new Set(repos.map((r) => r.name));
    let unique = name;
    for (let i = 2; taken.has(unique); i++) unique = `${name}-${i}`;
    repo = await deps.api.createRepository({
      name: unique,
      cloneUrl,
      defaultBranch: head?.replace(/^origin\//, "") || wt.branch,
    });
  }
  const name = `${basename(wt.path)}-${wt.branch}`.replace(/[^\w.-]+/g, "-").slice(0, 100);
  const ws = await deps.api.createWorkspace({
    repositoryId: repo.id,
    name,
    branch: wt.branch,
    autoStopMinutes: input.autoStopMinutes,
  });
  await deps.store.setLink({ worktreePath: wt.path, cloudWorkspaceId: ws.id, cloudSyncEnabled: true });
  return { workspaceId: ws.id, repositoryId: repo.id, repositoryCreated };
}
