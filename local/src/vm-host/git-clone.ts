import { execFile } from "node:child_process";
import { mkdir, readdir, rm } from "node:fs/promises";
import { dirname } from "node:path";

export class GitCloneError extends Error {}

interface GitResult {
  code: number;
  stderr: string;
}

function git(args: string[], cwd?: string): Promise<GitResult> {
  return new Promise((resolve) => {
    execFile(
      "git",
      args,
      {
        cwd,
        // Never block a request on an interactive credential prompt.
        env: {
          ...process.env,
          GIT_TERMINAL_PROMPT: "0",
          GIT_ASKPASS: "/bin/false",
          SSH_ASKPASS: "/bin/false",
        },
        maxBuffer: 16 * 1024 * 1024,
      },
      (err, _stdout, stderr) => {
        const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
        resolve({ code, stderr: stderr.toString().trim() || (err?.message ?? "") });
      },
    );
  });
}

async function isNonEmptyDir(path: string): Promise<boolean> {
  try {
    return (await readdir(path)).length > 0;
  } catch {
    return false;
  }
}

/** Abbreviated or full commit ids; `clone --branch` only understands branch and tag names. */
const LOOKS_LIKE_SHA = /^[0-9a-f]{4,40}$/i;

/**
 * Clones `repo` into `dest` at `rev` (branch, tag or commit). Branches and tags go through
 * `clone --branch` so a branch ends up checked out as a local branch, as a user would expect;
 * commits need a full clone followed by a detached checkout.
 */
export async function cloneRepo(repo: string, dest: string, rev: string | null | undefined): Promise<void> {
  if (await isNonEmptyDir(dest)) {
    throw new GitCloneError(`destination path '${dest}' already exists and is not an empty directory`);
  }
  await mkdir(dirname(dest), { recursive: true });
  if (!rev) {
    const r = await git(["clone", "--quiet", "--", repo, dest]);
    if (r.code !== 0) throw new GitCloneError(r.stderr);
    return;
  }
  const byName = await git(["clone", "--quiet", "--branch", rev, "--", repo, dest]);
  if (byName.code === 0) return;
  if (!LOOKS_LIKE_SHA.test(rev)) throw new GitCloneError(byName.stderr);
  await rm(dest, { recursive: true, force: true });
  const full = await git(["clone", "--quiet", "--no-checkout", "--", repo, dest]);
  if (full.code !== 0) throw new GitCloneError(full.stderr);
  const checkout = await git(["checkout", "--quiet", "--detach", rev], dest);
  if (checkout.code !== 0) throw new GitCloneError(`${byName.stderr}\n${checkout.stderr}`);
}
