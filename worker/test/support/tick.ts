import {
  createExecutionContext,
  createScheduledController,
  env,
  waitOnExecutionContext,
} from "cloudflare:test";
import worker from "../../src/index.ts";
import { runScheduled } from "../../src/scheduled.ts";

/** Runs the worker's real scheduled handler, as the Cron Trigger would, and waits for its work. */
export async function tick(bindings: Record<string, string>, at = Date.now()) {
  const ctx = createExecutionContext();
  await worker.scheduled(
    createScheduledController({ scheduledTime: at, cron: "* * * * *" }),
    { ...env, ...bindings },
    ctx,
  );
  await waitOnExecutionContext(ctx);
}

/** One tick as the handler runs it, answering what each job reports (what it did, left, timed out). */
export function tickResult(bindings: Record<string, string>, at = Date.now()) {
  return runScheduled({ ...env, ...bindings } as Env, new Date(at));
}
