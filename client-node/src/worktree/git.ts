import { execFile } from "node:child_process";
import { mkdtemp, realpath, rm } from "node:fs/promises";
import { devNull, tmpdir } from "node:os";
import { dirname, join } from "node:path";

/**
 * Git in a folder the user picked, whose `.git/config` we do not trust: a repository's config can
 * name programs for git to run (`core.fsmonitor`, hooks, `remote.<name>.uploadpack`,
 * `core.sshCommand`, `core.gitProxy`, credential helpers, pagers, diff and filter drivers,
 * transports such as `ext::`). So:
 * - in the folder, git only reads local facts (branch, commits, the origin URL as a string), with
 *   every such key overridden on the command line (`-c` beats every config file and whatever they
 *   include) and no transport allowed;
 * - the network question ("is this branch pushed?") is asked from an empty folder of our own, with
 *   the URL given explicitly, so the folder's config is not read at all; the user's own global
 *   config (their SSH setup, `insteadOf` rules) still applies, and only transports the control
 *   plane can clone are allowed.
 */
export class GitError extends Error {
  override name = "GitError";
}

/** A git run that finished with a non-zero exit: `message` is git's own reason (stderr). */
export class GitFailed extends Error {
  override name = "GitFailed";
}

/** Keys that run a program when any command reads them; defused for every run in the folder. */
const FOLDER_OVERRIDES = [
  "core.fsmonitor=false",
  `core.hooksPath=${devNull}`,
  "core.sshCommand=ssh",
  "core.gitProxy=",
  "core.askPass=",
  "core.pager=cat",
  "core.editor=:",
  "core.alternateRefsCommand=",
  "credential.helper=",
  "diff.external=",
  "gpg.program=gpg",
  "remote.origin.uploadpack=git-upload-pack",
  "remote.origin.receivepack=git-receive-pack",
  "remote.origin.proxy=",
  "http.proxy=",
  // Nothing run in the folder needs a transport; this makes any that is reached fail.
  "protocol.allow=never",
];

/** The transports the control plane can clone from (the local stack clones `file://`). */
const REMOTE_OVERRIDES = [
  "protocol.allow=never",
  ...["https", "http", "ssh", "git", "file"].map((p) => `protocol.${p}.allow=always`),
];

function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const { GIT_DIR: _d, GIT_WORK_TREE: _w, GIT_INDEX_FILE: _i, ...rest } = process.env;
  return {
    ...rest,
    // Never hang on a credential or host-key prompt: the app has no terminal to answer it.
    GIT_TERMINAL_PROMPT: "0",
    GIT_SSH_COMMAND: process.env.GIT_SSH_COMMAND ?? "ssh -o BatchMode=yes",
    GIT_PAGER: "cat",
    LC_ALL: "C",
    ...extra,
  };
}

function run(
  cwd: string,
  overrides: string[],
  args: string[],
  envVars: NodeJS.ProcessEnv,
  timeoutMs: number,
): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      "git",
      [...overrides.flatMap((o) => ["-c", o]), ...args],
      { cwd, timeout: timeoutMs, maxBuffer: 1024 * 1024, env: envVars },
      (err, stdout, stderr) => {
        if (!err) return resolve(stdout.trim());
        const e = err as NodeJS.ErrnoException & { killed?: boolean };
        if (e.code === "ENOENT") return reject(new GitError("git is not installed (or not on PATH)"));
        if (e.killed) return reject(new GitError(`git ${args[0]} timed out`));
        reject(new GitFailed(stderr.trim() || e.message));
      },
    );
  });
}

/** Runs a local git command in the user's folder with its config defused. */
function gitInFolder(folder: string, args: string[], timeoutMs = 20_000): Promise<string> {
  return run(folder, FOLDER_OVERRIDES, args, env(), timeoutMs);
}

/** Like `gitInFolder`, but a failed command answers null (git errors about the environment still throw). */
export function tryGitInFolder(folder: string, args: string[]): Promise<string | null> {
  return gitInFolder(folder, args).catch((err) => {
    if (err instanceof GitFailed) return null;
    throw err;
  });
}

/** `git ls-remote --heads <url> <ref>` from an empty folder of ours: no repository config is read. */
export async function lsRemoteHead(url: string, ref: string, timeoutMs = 20_000): Promise<string> {
  const outside = await realpath(await mkdtemp(join(tmpdir(), "cw-git-")));
  try {
    // Git looks for a repository in `outside` only, never in the folders above it.
    const ceiling = env({ GIT_CEILING_DIRECTORIES: dirname(outside) });
    return await run(outside, REMOTE_OVERRIDES, ["ls-remote", "--heads", "--", url, ref], ceiling, timeoutMs);
  } finally {
    await rm(outside, { recursive: true, force: true });
  }
}
