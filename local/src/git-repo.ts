import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const identity = {
  GIT_AUTHOR_NAME: "Cloud Workspaces",
  GIT_AUTHOR_EMAIL: "dev@cloud-workspaces.local",
  GIT_COMMITTER_NAME: "Cloud Workspaces",
  GIT_COMMITTER_EMAIL: "dev@cloud-workspaces.local",
};

export function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", args, { cwd, env: { ...process.env, ...identity }, encoding: "utf8" }).trim();
}

export interface LocalRepository {
  /** The bare repository: what workspaces clone. */
  barePath: string;
  cloneUrl: string;
  /** A working clone used to push new commits. */
  workPath: string;
  head(branch: string): string;
  /** Commits a file on `branch` and pushes it; returns the new head. */
  pushCommit(branch: string, file: string, content: string): string;
}

/**
 * A real git repository on disk (bare + a working clone) with `main` and `feature` branches,
 * for the local stack's demo and for tests.
 */
export function createLocalRepository(parent = mkdtempSync(join(tmpdir(), "cw-repo-"))): LocalRepository {
  const barePath = join(parent, "demo.git");
  const workPath = join(parent, "demo-work");
  mkdirSync(workPath, { recursive: true });
  git(parent, "init", "--bare", "--initial-branch=main", barePath);
  git(workPath, "init", "--initial-branch=main");
  git(workPath, "remote", "add", "origin", barePath);
  const repo: LocalRepository = {
    barePath,
    cloneUrl: pathToFileURL(barePath).href,
    workPath,
    head: (branch) => git(barePath, "rev-parse", `refs/heads/${branch}`),
    pushCommit(branch, file, content) {
      const exists = git(workPath, "branch", "--list", branch) !== "";
      if (exists) git(workPath, "checkout", "-q", branch);
      else git(workPath, "checkout", "-q", "-b", branch);
      writeFileSync(join(workPath, file), content);
      git(workPath, "add", file);
      git(workPath, "commit", "-q", "-m", `update ${file}`);
      git(workPath, "push", "-q", "origin", branch);
      return repo.head(branch);
    },
  };
  repo.pushCommit("main", "README.md", "# demo\n\nA repository for trying cloud workspaces locally.\n");
  repo.pushCommit("feature", "feature.txt", "work in progress\n");
  git(workPath, "checkout", "-q", "main");
  return repo;
}
