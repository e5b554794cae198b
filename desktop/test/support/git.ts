import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", args, {
    cwd,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: "t",
      GIT_AUTHOR_EMAIL: "t@example.com",
      GIT_COMMITTER_NAME: "t",
      GIT_COMMITTER_EMAIL: "t@example.com",
    },
  }).trim();
}

/** A bare "origin" and a clone of it with one pushed commit on `main`. */
export function originAndClone(root: string): { origin: string; clone: string } {
  const origin = join(root, "origin.git");
  const clone = join(root, "work");
  mkdirSync(origin, { recursive: true });
  git(origin, "init", "--bare", "-q", "-b", "main");
  git(root, "clone", "-q", origin, clone);
  git(clone, "checkout", "-q", "-b", "main");
  writeFileSync(join(clone, "README.md"), "hello\n");
  git(clone, "add", ".");
  git(clone, "commit", "-q", "-m", "first");
  git(clone, "push", "-q", "origin", "main");
  return { origin, clone };
}

export function commit(dir: string, file: string, text: string): void {
  writeFileSync(join(dir, file), text);
  git(dir, "add", file);
  git(dir, "commit", "-q", "-m", `change ${file}`);
}
