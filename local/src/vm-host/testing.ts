import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { FaultSpec } from "./faults.ts";

/**
 * Helpers for tests that run against a local VM host: a real git repository to clone from, and a
 * client for the /__control routes.
 */

export interface GitFixture {
  /** Bare repository path, usable as `repo` in a create request. */
  bare: string;
  mainHead: string;
  featureHead: string;
  /** Lightweight tag pointing at mainHead. */
  tag: string;
}

/** Commits must not depend on the machine's git config (identity, default branch, hooks). */
const GIT_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: "VM Host Test",
  GIT_AUTHOR_EMAIL: "vm-host-test@example.invalid",
  GIT_COMMITTER_NAME: "VM Host Test",
  GIT_COMMITTER_EMAIL: "vm-host-test@example.invalid",
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_CONFIG_NOSYSTEM: "1",
};

function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", args, { cwd, env: GIT_ENV, encoding: "utf8" }).trim();
}

/** `main` with one commit, `feature` one commit ahead, both pushed to a bare repo whose HEAD is main. */
export function createGitFixture(root: string): GitFixture {
  const work = join(root, "work");
  const bare = join(root, "origin.git");
  mkdirSync(work, { recursive: true });
  git(root, "init", "--quiet", "-b", "main", work);
  writeFileSync(join(work, "README.md"), "# fixture\n");
  git(work, "add", "README.md");
  git(work, "commit", "--quiet", "-m", "initial");
  const mainHead = git(work, "rev-parse", "HEAD");
  git(work, "tag", "v1");
  git(work, "checkout", "--quiet", "-b", "feature");
  writeFileSync(join(work, "feature.txt"), "feature work\n");
  git(work, "add", "feature.txt");
  git(work, "commit", "--quiet", "-m", "feature");
  const featureHead = git(work, "rev-parse", "HEAD");
  git(root, "init", "--quiet", "--bare", "-b", "main", bare);
  git(work, "push", "--quiet", bare, "main", "feature", "v1");
  return { bare, mainHead, featureHead, tag: "v1" };
}

export interface CallRecordView {
  method: string;
  path: string;
  status: number;
  at: string;
  body: unknown;
}

export function controlClient(baseUrl: string) {
  const call = async (method: string, path: string, body?: unknown): Promise<unknown> => {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json: unknown = await res.json();
    if (!res.ok) throw new Error(`control ${method} ${path} → ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  return {
    addFault: (spec: FaultSpec) => call("POST", "/__control/faults", spec),
    clearFaults: () => call("DELETE", "/__control/faults"),
    setVmState: (vmId: string, state: string | null) =>
      call("POST", `/__control/vms/${vmId}/state`, { state }),
    calls: async () => (await call("GET", "/__control/calls")) as CallRecordView[],
    clearCalls: () => call("DELETE", "/__control/calls"),
  };
}
