import { eventData } from "@cw/contracts";
import { startWebhookReceiver } from "@cw/testing/node";
import { Webhook } from "standardwebhooks";
import { databaseName, withBenchStack } from "./bench-stack.ts";
import { openSse } from "./sse.ts";
import { fmt, percentile } from "./stats.ts";

/**
 * `pnpm bench events`: how soon a status change made through the API reaches (a) an open event
 * stream (`GET /v1/events/stream`) and (b) a webhook receiver (a real HTTP server here, verifying
 * each signature with `standardwebhooks` after the timing), `changes` times, one at a time, a
 * random 0–400 ms apart. Reported from the API's answer (the change is committed by then) and from
 * the request's start. Target: p50 ≤ 300 ms, p99 ≤ 1 s for both.
 */
const statusChange = eventData["workspace.status_changed"];

export async function benchEvents(opts: { changes?: number } = {}) {
  const n = opts.changes ?? 200;
  const receiver = await startWebhookReceiver();
  try {
    return await withBenchStack({}, async ({ stack, api, repositoryId }) => {
      const { id } = await api.createWorkspace({ repositoryId, name: "bench-events", branch: "main" });
      const ws = await api.getWorkspace(id, { waitFor: ["running", "error"], timeoutSeconds: 120 });
      if (ws.status !== "running") throw new Error(`the workspace is ${ws.status}: ${ws.statusMessage}`);
      const hook = await api.createWebhook({
        url: receiver.urlOf("bench"),
        events: ["workspace.status_changed"],
      });

      // Arrivals by `to` status, for the change under way to wait on.
      type Arrival = (to: string, at: number) => void;
      const listeners = new Set<Arrival>();
      const arrived = (to: string) => {
        const at = performance.now();
        for (const listener of listeners) listener(to, at);
      };
      const stream = await openSse(
        api.eventStreamUrl({ type: ["workspace.status_changed"], workspaceId: id }),
        api.headers(),
        (event) => {
          if (event.type === "workspace.status_changed") arrived(`sse:${statusChange.parse(event.data).to}`);
        },
      );
      const offReceiver = receiver.onRequest((name, request) => {
        const payload = JSON.parse(request.body);
        if (name === "bench" && payload.data.workspaceId === id) arrived(`hook:${payload.data.data.to}`);
      });
      const next = (key: string) =>
        new Promise<number>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`never saw ${key}`)), 30_000);
          const listener: Arrival = (to, at) => {
            if (to !== key) return;
            clearTimeout(timer);
            listeners.delete(listener);
            resolve(at);
          };
          listeners.add(listener);
        });

      const samples = {
        sse: [] as number[],
        hook: [] as number[],
        sseStart: [] as number[],
        hookStart: [] as number[],
      };
      let status: "running" | "paused" = "running";
      try {
        for (let i = 0; i < n; i++) {
          const [action, target]: ["pause", "paused"] | ["resume", "running"] =
            status === "running" ? ["pause", "paused"] : ["resume", "running"];
          // A random pause first, so changes land at random points of any poll or alarm cycle.
          await new Promise((r) => setTimeout(r, Math.random() * 400));
          const sse = next(`sse:${target}`);
          const hookSeen = next(`hook:${target}`);
          const t0 = performance.now();
          await api[`${action}Workspace`](id);
          const answered = performance.now();
          const [sseAt, hookAt] = await Promise.all([sse, hookSeen]);
          // Seen before the answer arrived counts as 0.
          samples.sse.push(Math.max(0, sseAt - answered));
          samples.hook.push(Math.max(0, hookAt - answered));
          samples.sseStart.push(sseAt - t0);
          samples.hookStart.push(hookAt - t0);
          status = target;
        }
      } finally {
        offReceiver();
        await stream.close();
      }

      const verifier = new Webhook(hook.secret);
      const received = receiver.received("bench");
      for (const r of received) verifier.verify(r.body, r.headers);
      const deliveries = await api.listWebhookDeliveries(hook.id, { limit: 200 });
      const row = (label: string, after: number[], fromStart: number[]) =>
        `  ${label}  after the answer p50 ${fmt(percentile(after, 50))}  p99 ${fmt(percentile(after, 99))}` +
        `   from the request's start p50 ${fmt(percentile(fromStart, 50))}  p99 ${fmt(percentile(fromStart, 99))}`;
      console.log(
        `\nevents bench: ${n} status changes through the API → an event stream and a webhook receiver, database ${databaseName(stack)}`,
      );
      console.log(row("SSE stream      ", samples.sse, samples.sseStart));
      console.log(row("webhook receiver", samples.hook, samples.hookStart));
      console.log("  (target p50 ≤ 300 ms, p99 ≤ 1 s after the answer)");
      console.log(
        `  ${received.length} deliveries received, every signature verified (standardwebhooks); ` +
          `${deliveries.items.filter((d) => d.attempts > 1).length} of the last ${deliveries.items.length} needed a retry`,
      );
      return {
        sse: { p50: percentile(samples.sse, 50), p99: percentile(samples.sse, 99) },
        webhook: { p50: percentile(samples.hook, 50), p99: percentile(samples.hook, 99) },
      };
    });
  } finally {
    await receiver.close();
  }
}
