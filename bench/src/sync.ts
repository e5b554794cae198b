import { join } from "node:path";
// The desktop's real store (plain Node).
import { createWorkspaceSync } from "@cw/desktop/core/sync/index";
import type { WorkspaceStore } from "@cw/desktop/core/workspace-store";
import { databaseName, withBenchStack } from "./bench-stack.ts";
import { fmt, percentile } from "./stats.ts";
import { clock, flip, whenStatus } from "./store-watch.ts";

/**
 * `pnpm bench sync`: sync latency of the built-in shape source. A status change written through the
 * API (pause / resume, alternately) until it is visible in a desktop store's snapshot, `changes`
 * times, one at a time, a random 0–400 ms apart. Reported from the API's answer (the change is
 * committed by then) and from the request's start. Target: p50 ≤ 300 ms, p99 ≤ 1 s.
 */
export async function benchSync(opts: { changes?: number } = {}) {
  const n = opts.changes ?? 200;
  return withBenchStack({}, async ({ stack, api, repositoryId }) => {
    let store: WorkspaceStore | undefined;
    try {
      const { id } = await api.createWorkspace({ repositoryId, name: "bench-sync", branch: "main" });

      store = await createWorkspaceSync({
        apiUrl: stack.workerUrl,
        token: stack.token,
        file: join(stack.dataDir, "desktop-store.json"),
        log: (m) => console.error(`[store] ${m}`),
      });
      const visible = (status: string) => whenStatus(store!, id, status);
      await visible("running");

      const afterAnswer: number[] = [];
      const fromRequest: number[] = [];
      let status: "running" | "paused" = "running";
      for (let i = 0; i < n; i++) {
        const [action, target] = flip(status);
        // A random pause first, so each change lands at a random point of the source's poll cycle
        // (back to back, changes would ride the immediate read that opens every live request).
        await new Promise((r) => setTimeout(r, Math.random() * 400));
        const seen = visible(target);
        const t0 = clock();
        await api[`${action}Workspace`](id);
        const answered = clock();
        const at = await seen;
        // Seen before the answer arrived counts as 0: the store was already there.
        afterAnswer.push(Math.max(0, at - answered));
        fromRequest.push(at - t0);
        status = target;
      }

      const p50 = percentile(afterAnswer, 50);
      const p99 = percentile(afterAnswer, 99);
      console.log(
        `\nsync bench: ${n} status changes through the API → the desktop store, built-in shape source, database ${databaseName(stack)}`,
      );
      console.log(
        `  after the API answered   p50 ${fmt(p50)}  p99 ${fmt(p99)}  (target p50 ≤ 300 ms, p99 ≤ 1 s)`,
      );
      console.log(
        `  from the request's start p50 ${fmt(percentile(fromRequest, 50))}  p99 ${fmt(percentile(fromRequest, 99))}`,
      );
      return { p50, p99 };
    } finally {
      await store?.close();
    }
  });
}
