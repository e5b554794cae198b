import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * The `demo` repository `pnpm dev` registers: a bare repository under `dir` with a `main` and a
 * `feature` branch, made once and kept. Returns the bare repository's path.
 */
export function ensureDemoRepository(dir: string): string {
  const bare = join(dir, "demo.git");
  if (existsSync(bare)) return bare;
  const work = join(dir, "demo-work");
  mkdirSync(work, { recursive: true });
  const run = (cwd: string, ...args: string[]) =>
    execFileSync(
      "git",
      ["-c", "user.name=Cloud Workspaces", "-c", "user.email=dev@cloud-workspaces.local", ...args],
      {
        cwd,
        stdio: "ignore",
      },
    );
  run(dir, "init", "-q", "--bare", "--initial-branch=main", bare);
  run(work, "init", "-q", "--initial-branch=main");
  writeFileSync(join(work, "README.md"), "# demo\n\nA repository for trying cloud workspaces locally.\n");
  run(work, "add", "README.md");
  run(work, "commit", "-q", "-m", "demo");
  run(work, "checkout", "-q", "-b", "feature");
  writeFileSync(join(work, "feature.txt"), "work in progress\n");
  run(work, "add", "feature.txt");
  run(work, "commit", "-q", "-m", "work in progress");
  run(work, "push", "-q", bare, "main", "feature");
  return bare;
}
