import { basename } from "node:path";
import { tryGitInFolder } from "./git.ts";
import { inspectWorktree, WorktreeError } from "./inspect.ts";
import { cloneUrlOf, remoteKey, repositoryNameOf } from "./remote-url.ts";

/**
 * "Enable cloud" for a local git worktree: inspect it (origin, branch, pushed), register its origin
 * as a repository unless one with the same remote exists, create the workspace on its branch, and
 * link the folder to it. Plain Node with narrow dependencies, so every client (the desktop, the
 * `cw` command line) runs this one implementation with its own API client and link store.
 */
export interface EnableCloudInput {
  path: string;
  /** Default: the API's (30). */
  autoStopMinutes?: number;
  autoStopAction?: "pause" | "stop";
  /** The workspace's name; by default `<folder>-<branch>`. */
  name?: string;
}

export interface EnableCloudResult {
  workspaceId: string;
  repositoryId: string;
  repositoryCreated: boolean;
}

export interface EnableCloudApi {
  listRepositories(): Promise<{ items: { id: string; name: string; cloneUrl: string }[] }>;
  createRepository(input: {
    name: string;
    cloneUrl: string;
    defaultBranch?: string;
  }): Promise<{ id: string }>;
  createWorkspace(input: {
    repositoryId: string;
    name: string;
    branch: string;
    autoStopMinutes?: number;
    autoStopAction?: "pause" | "stop";
  }): Promise<{ id: string }>;
}

/** Where a client remembers which folder is which workspace. */
export interface WorktreeLinks {
  /** The workspace this folder is linked to, if that workspace still exists. */
  linkedWorkspace(worktreePath: string): string | null;
  link(worktreePath: string, workspaceId: string): Promise<void>;
}

/** `<what>-<branch>`, in the characters an SSH host name and a folder name both take. */
export function defaultWorkspaceName(what: string, branch: string): string {
  return `${what}-${branch}`.replace(/[^\w.-]+/g, "-").slice(0, 100);
}

/** `links` is where the desktop remembers the folder's workspace; `cw` keeps no links. */
export async function enableCloud(
  deps: { api: EnableCloudApi; links?: WorktreeLinks },
  input: EnableCloudInput,
): Promise<EnableCloudResult> {
  const wt = await inspectWorktree(input.path);
  if (deps.links && deps.links.linkedWorkspace(wt.path) !== null)
    throw new WorktreeError(`${wt.path} already has a cloud workspace`);

  const cloneUrl = cloneUrlOf(wt.originUrl, wt.path);
  const key = remoteKey(cloneUrl);
  const repos = (await deps.api.listRepositories()).items;
  let repo: { id: string } | undefined = repos.find((r) => remoteKey(r.cloneUrl) === key);
  const repositoryCreated = !repo;
  if (!repo) {
    const head = await tryGitInFolder(wt.path, [
      "symbolic-ref",
      "--quiet",
      "--short",
      "refs/remotes/origin/HEAD",
    ]);
    const name = repositoryNameOf(cloneUrl);
    const taken = new Set(repos.map((r) => r.name));
    let unique = name;
    for (let i = 2; taken.has(unique); i++) unique = `${name}-${i}`;
    repo = await deps.api.createRepository({
      name: unique,
      cloneUrl,
      defaultBranch: head?.replace(/^origin\//, "") || wt.branch,
    });
  }
  const name = input.name ?? defaultWorkspaceName(basename(wt.path), wt.branch);
  const ws = await deps.api.createWorkspace({
    repositoryId: repo.id,
    name,
    branch: wt.branch,
    ...(input.autoStopMinutes === undefined ? {} : { autoStopMinutes: input.autoStopMinutes }),
    ...(input.autoStopAction ? { autoStopAction: input.autoStopAction } : {}),
  });
  await deps.links?.link(wt.path, ws.id);
  return { workspaceId: ws.id, repositoryId: repo.id, repositoryCreated };
}
