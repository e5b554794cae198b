import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { flip, percentile, waitFor } from "@cw/testing";
import { expect, it } from "vitest";
import worker from "../src/index.ts";
import { sharedDatabase } from "../test/support/database.ts";
import { createRunning, setupOrg } from "../test/support/org.ts";
import { type Row, SHAPE_URL, Shape, ShapeStream, workerFetch } from "../test/support/shape-client.ts";

/**
 * The latency half of `pnpm bench sync-fanout`, inside workerd: over `wrangler dev` the harness
 * answered 500 requests at once no faster than the target asks of a change (bench/README.md), so
 * that figure was the harness's. Here every client is the real, unmodified ShapeStream calling the
 * worker's fetch handler in-process, and the organization hub is the real Durable Object, so what
 * is timed is the hub's fan-out: from the API's answer to a status change until each client shows it.
 */

const FLEETS = [
  { clients: 1, changes: 50 },
  { clients: 100, changes: 50 },
  { clients: 500, changes: 200 },
];

const p50p99 = (xs: number[]) =>
  `p50 ${percentile(xs, 50).toFixed(1)} ms, p99 ${percentile(xs, 99).toFixed(1)} ms`;

/** A live client: the workspace's status as it last showed it, and who is waiting for which status. */
function client(bindings: Record<string, string>, token: string, workspaceId: string, signal: AbortSignal) {
  const { fetchClient } = workerFetch(bindings, token);
  const shape = new Shape(
    new ShapeStream<Row>({ url: SHAPE_URL, params: { shape: "workspaces" }, fetchClient, signal }),
  );
  const status = () => shape.currentRows.find((r) => r.id === workspaceId)?.status as string | undefined;
  /** When (performance.now()) the client first shows `target`: at once if it already does. */
  const when = (target: string) =>
    new Promise<number>((resolve) => {
      if (status() === target) return resolve(performance.now());
      const off = shape.subscribe(() => {
        if (status() !== target) return;
        off();
        resolve(performance.now());
      });
    });
  return { status, when };
}

it("a status change reaches 1, 100 and 500 live clients", async () => {
  const bindings = sharedDatabase().env;
  const org = await setupOrg(bindings, "bench-fanout");
  const ws = await createRunning(org, "fanout");
  let status = ws.status as "running" | "paused";
  expect(status).toBe("running");
  const abort = new AbortController();
  const clients: ReturnType<typeof client>[] = [];
  const lines: string[] = [];
  try {
    for (const fleet of FLEETS) {
      while (clients.length < fleet.clients) clients.push(client(bindings, org.token, ws.id, abort.signal));
      await waitFor(
        `${fleet.clients} clients showing the workspace ${status}`,
        () => clients.every((c) => c.status() === status),
        120_000,
        50,
      );
      const floor = await healthzAtOnce(bindings, fleet.clients);
      const everyClient: number[] = [];
      const slowest: number[] = [];
      for (let i = 0; i < fleet.changes; i++) {
        // A random 0–400 ms apart, so that a change lands at any point of the clients' long-polls.
        await new Promise((r) => setTimeout(r, Math.random() * 400));
        const [action, target] = flip(status);
        const seen = Promise.all(clients.map((c) => c.when(target)));
        const res = await org.api("POST", `/v1/workspaces/${ws.id}/${action}`);
        expect(res.status).toBe(200);
        const answered = performance.now();
        const delays = (await seen).map((at) => Math.max(0, at - answered));
        everyClient.push(...delays);
        slowest.push(Math.max(...delays));
        status = target;
      }
      lines.push(
        `  ${fleet.clients} client(s), ${fleet.changes} changes → visible, every client: ${p50p99(everyClient)}; the slowest client of each: ${p50p99(slowest)}`,
        `    the harness alone, ${fleet.clients} concurrent GET /healthz (a route that does nothing): ${p50p99(floor)}`,
      );
    }
  } finally {
    abort.abort();
  }
  console.log(
    [
      "",
      "sync-fanout bench, inside workerd: the real ShapeStream through the worker's fetch handler, the organization hub a real Durable Object, on the machine's PostgreSQL",
      ...lines,
      "  target with 500 clients: p50 ≤ 300 ms, p99 ≤ 1 s (the slowest client of each change is the stricter reading)",
    ].join("\n"),
  );
}, 900_000);

/** `n` GET /healthz through the worker's fetch handler at once: each one's time. */
async function healthzAtOnce(bindings: Record<string, string>, n: number) {
  return Promise.all(
    Array.from({ length: n }, async () => {
      const t0 = performance.now();
      const ctx = createExecutionContext();
      const res = await worker.fetch(new Request("http://cw.test/healthz"), { ...env, ...bindings }, ctx);
      await res.arrayBuffer();
      await waitOnExecutionContext(ctx);
      return performance.now() - t0;
    }),
  );
}
