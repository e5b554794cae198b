import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

/** Commits must not depend on the machine's git config (identity, default branch, hooks). */
const GIT_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: "Test Author",
  GIT_AUTHOR_EMAIL: "test-author@example.invalid",
  GIT_COMMITTER_NAME: "Test Author",
  GIT_COMMITTER_EMAIL: "test-author@example.invalid",
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_CONFIG_NOSYSTEM: "1",
};

/** Runs git in `cwd` and returns its trimmed stdout; throws with git's stderr on failure. */
export function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", args, {
    cwd,
    env: GIT_ENV,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  }).trim();
}

/** Writes `file` in the working tree `dir` and commits it. */
export function commit(dir: string, file: string, text: string): void {
  writeFileSync(join(dir, file), text);
  git(dir, "add", file);
  git(dir, "commit", "-q", "-m", `change ${file}`);
}

export interface GitFixture {
  /** The bare repository ("the git host"): what VMs clone. Its HEAD is `main`. */
  bare: string;
  /** `bare` as a file:// URL, for a repository's `cloneUrl`. */
  cloneUrl: string;
  /** A working clone of `bare` tracking it, with `main` checked out ("the developer's worktree"). */
  work: string;
  mainHead: string;
  /** `feature` is one commit ahead of `main`. */
  featureHead: string;
  /** A lightweight tag on `mainHead`. */
  tag: string;
  /** The branch's head on the bare repository now. */
  head(branch: string): string;
  /** Commits `file` on `branch` in `work` (creating the branch) and pushes it; returns the new head. */
  pushCommit(branch: string, file: string, content: string): string;
}

/** A real repository under `root`: `main` (one commit, tag `v1`) and `feature`, pushed to a bare origin. */
export function createGitFixture(root: string): GitFixture {
  const bare = join(root, "origin.git");
  const work = join(root, "work");
  mkdirSync(root, { recursive: true });
  git(root, "init", "-q", "--bare", "-b", "main", bare);
  git(root, "clone", "-q", bare, work);
  // An empty clone's unborn branch depends on the git version; make it `main` either way.
  git(work, "symbolic-ref", "HEAD", "refs/heads/main");
  const fixture: GitFixture = {
    bare,
    cloneUrl: pathToFileURL(bare).href,
    work,
    mainHead: "",
    featureHead: "",
    tag: "v1",
    head: (branch) => git(bare, "rev-parse", `refs/heads/${branch}`),
    pushCommit(branch, file, content) {
      const exists = git(work, "branch", "--list", branch) !== "";
      git(work, "checkout", "-q", ...(exists ? [branch] : ["-b", branch]));
      commit(work, file, content);
      git(work, "push", "-q", "-u", "origin", branch);
      return fixture.head(branch);
    },
  };
  fixture.mainHead = fixture.pushCommit("main", "README.md", "# fixture\n");
  git(work, "tag", fixture.tag);
  git(work, "push", "-q", "origin", fixture.tag);
  fixture.featureHead = fixture.pushCommit("feature", "feature.txt", "feature work\n");
  git(work, "checkout", "-q", "main");
  return fixture;
}

/** The desktop tests' view of a fixture: the origin and the developer's clone of it. */
export function originAndClone(root: string): { origin: string; clone: string } {
  const { bare, work } = createGitFixture(root);
  return { origin: bare, clone: work };
}
