import { type ApiClient, ApiError } from "@cw/contracts/client";
import type { Workspace } from "@cw/contracts/types";
import { CliError } from "./errors.ts";
import type { Progress } from "./progress.ts";

type Api = Pick<ApiClient, "getWorkspace" | "resumeWorkspace">;

export interface WaitOptions {
  /** Resume a paused or stopped workspace (ssh); otherwise only wait (create). */
  resume: boolean;
  progress: Progress;
  /** Between looks at the workspace. */
  pollMs?: number;
  /** Give up after this long (provisioning itself turns into an error after 10 minutes). */
  deadlineMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

const doing: Record<string, string> = {
  create: "creating",
  pause: "pausing",
  resume: "resuming",
  stop: "stopping",
  delete: "deleting",
};

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Returns the workspace once it is running with nothing in flight: resumes it first when asked
 * and it is paused or stopped, waits out provisioning and operations in flight (another client's
 * resume included). An error status, or the workspace vanishing, is a CliError with the reason.
 */
export async function untilRunning(api: Api, workspace: Workspace, opts: WaitOptions): Promise<Workspace> {
  const { progress, pollMs = 1_000, deadlineMs = 15 * 60_000, sleep = sleepFor, now = Date.now } = opts;
  const deadline = now() + deadlineMs;
  let ws = workspace;
  for (;;) {
    const settled = ws.operation === null;
    if (ws.status === "running" && settled) return ws;
    if (ws.status === "error" && settled)
      throw new CliError(
        `workspace "${ws.name}" is in error: ${ws.statusMessage ?? "no reason given"} (cw resume ${ws.name} tries again)`,
      );
    if (opts.resume && settled && (ws.status === "paused" || ws.status === "stopped")) {
      progress.update(`resuming ${ws.name}`);
      try {
        ws = await api.resumeWorkspace(ws.id);
        continue;
      } catch (e) {
        // Someone else's resume (or another operation) got there first: wait for it.
        if (!(e instanceof ApiError && e.status === 409)) throw e;
      }
    } else if (!opts.resume && settled && ws.status !== "provisioning") {
      throw new CliError(`workspace "${ws.name}" is ${ws.status}, not running`);
    }
    if (now() > deadline)
      throw new CliError(`workspace "${ws.name}" is still ${ws.status}; giving up waiting`);
    progress.update(`${ws.operation ? (doing[ws.operation] ?? ws.operation) : ws.status} ${ws.name}`);
    await sleep(pollMs);
    try {
      ws = await api.getWorkspace(ws.id);
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) throw new CliError(`workspace "${ws.name}" was deleted`);
      throw e;
    }
  }
}
