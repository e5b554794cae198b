import { join } from "node:path";
import { waitFor } from "@cw/testing";
import { withBenchStack } from "./bench-stack.ts";
import { type FleetThread, startFleetThread } from "./fleet-thread.ts";
import { type OwnDatabase, withOwnDatabase } from "./own-database.ts";
import { fmt, percentile } from "./stats.ts";
import { clock, flip } from "./store-watch.ts";
import { connectionsTo } from "./tcp-connections.ts";
import { runWorkerdBench } from "./workerd-bench.ts";

/** Stores connected in turn, and the status changes made with each: 200 with the most. */
const FLEETS = [
  { stores: 1, changes: 50 },
  { stores: 100, changes: 50 },
  { stores: 500, changes: 200 },
];
const HOLD_MS = 60_000;
/**
 * Before each hold: the fleet's start-up (one snapshot read per new store) and the changes before
 * must be over and counted. The server counts a connection's transactions when it closes or idles,
 * so a few seconds suffice.
 */
const SETTLE_MS = 10_000;

interface Idle {
  perMinute: number;
  /** Live requests each client had answered per minute (one per long-poll when truly idle). */
  answeredPerClientMinute: number;
  /** The fewest live requests held at once during the hold (sampled every second). */
  fewestHeld: number;
  /** The fewest TCP connections to the worker at once (null: not measurable here). */
  fewestConnections: number | null;
}

interface Changes {
  /** From the API's answer until each store showed the change. */
  everyStore: number[];
  slowestStore: number[];
  /** What the server ran per change, all included. */
  workPerChange: number;
  /** `stores` concurrent GET /healthz: the harness's own time to answer them all at once. */
  floor: number[];
}

/**
 * `pnpm bench sync-fanout`: what idle desktops cost the database with the built-in shape source,
 * and how fast a change reaches many of them. 1, 100 and 500 desktop stores (the desktop's real
 * store and the unmodified `ShapeStream`, one API token) held idle and live for 60 s each against a
 * database of the bench's own on a real PostgreSQL, counting what the server itself ran; after
 * each hold, status changes through the API (200 with 500 stores) until every store shows them,
 * beside the harness's own time to answer as many requests at once.
 * Targets: 500 clients cost ≤ 1.5× one; change → visible p50 ≤ 300 ms, p99 ≤ 1 s.
 */
export async function benchSyncFanout() {
  await withOwnDatabase("cw_bench_fanout_", (database) =>
    withBenchStack({ databaseUrl: database.url }, async ({ stack, api, repositoryId }) => {
      const { id } = await api.createWorkspace({ repositoryId, name: "bench-fanout", branch: "main" });
      await waitFor(
        "the workspace running",
        async () => (await api.getWorkspace(id)).status === "running",
        120_000,
        250,
      );
      const port = Number(new URL(stack.workerUrl).port);
      const fleet = startFleetThread({
        apiUrl: stack.workerUrl,
        token: stack.token,
        dir: join(stack.dataDir, "stores"),
      });
      const rows: { stores: number; idle: Idle; changes: Changes }[] = [];
      let status: "running" | "paused" = "running";
      try {
        for (const { stores, changes } of FLEETS) {
          const progress = (what: string) => console.error(`[sync-fanout] ${stores} store(s): ${what}`);
          progress(`starting, then ${HOLD_MS / 1000} s idle`);
          await fleet.grow(stores);
          await allLiveShowing(fleet, id, status, stores);
          await new Promise((r) => setTimeout(r, SETTLE_MS));
          const idle = await holdIdle(fleet, database, port);
          // Printed as it comes too: what follows may fail.
          progress(describeIdle(idle, database.work.unit));
          await allLiveShowing(fleet, id, status, stores);
          progress(`${changes} status changes`);
          const floor = await fleet.burst(`${stack.workerUrl}/healthz`, stores);
          const before = await database.work.count();
          const timed = await changeToVisible(fleet, id, status, changes, (action) =>
            api[`${action}Workspace`](id),
          );
          status = timed.last;
          const workPerChange = ((await database.work.count()) - before) / changes;
          await allLiveShowing(fleet, id, status, stores);
          rows.push({ stores, idle, changes: { ...timed, workPerChange, floor } });
        }
        report(database, rows, (await fleet.counts()).problems);
      } finally {
        await fleet.close();
      }
    }),
  );
  // The latency again where the harness is not the ceiling (worker/bench/sync-fanout.bench.ts).
  await runWorkerdBench("sync-fanout");
}

/** Every store connected, up to date (the server only answers live requests of those) and showing `status`. */
async function allLiveShowing(fleet: FleetThread, id: string, status: string, stores: number) {
  await waitFor(
    `all ${stores} stores live, showing the workspace ${status}, each with its next long-poll sent`,
    async () => (await fleet.allShowing(id, status)) && (await fleet.counts()).liveInFlight === stores,
    300_000,
    250,
  );
}

async function holdIdle(fleet: FleetThread, database: OwnDatabase, port: number): Promise<Idle> {
  const { stores, liveAnswered: answeredBefore } = await fleet.counts();
  let fewestHeld = Number.POSITIVE_INFINITY;
  let fewestConnections: number | null = null;
  const before = await database.work.count();
  const t0 = clock();
  while (clock() - t0 < HOLD_MS) {
    fewestHeld = Math.min(fewestHeld, (await fleet.counts()).liveInFlight);
    const open = connectionsTo(port);
    if (open !== null) fewestConnections = Math.min(fewestConnections ?? open, open);
    await new Promise((r) => setTimeout(r, Math.min(1_000, Math.max(0, HOLD_MS - (clock() - t0)))));
  }
  const after = await database.work.count();
  const minutes = (clock() - t0) / 60_000;
  const { liveAnswered } = await fleet.counts();
  return {
    perMinute: (after - before) / minutes,
    answeredPerClientMinute: (liveAnswered - answeredBefore) / stores / minutes,
    fewestHeld,
    fewestConnections,
  };
}

/**
 * `n` status changes (pause / resume alternately, a random 0–400 ms apart so each lands at any
 * point of a long-poll), each timed from the API's answer (the change is committed and the hub told
 * by then) until every store shows it.
 */
async function changeToVisible(
  fleet: FleetThread,
  id: string,
  from: "running" | "paused",
  n: number,
  change: (action: "pause" | "resume") => Promise<unknown>,
) {
  const everyStore: number[] = [];
  const slowestStore: number[] = [];
  let status = from;
  for (let i = 0; i < n; i++) {
    const [action, target] = flip(status);
    await new Promise((r) => setTimeout(r, Math.random() * 400));
    const { seen } = await fleet.arm(id, target, 60_000);
    await change(action);
    const answered = clock();
    // Seen before the answer arrived counts as 0: the store was already there.
    const delays = (await seen).map((at) => Math.max(0, at - answered));
    everyStore.push(...delays);
    slowestStore.push(Math.max(...delays));
    status = target;
  }
  return { everyStore, slowestStore, last: status };
}

const describeIdle = (idle: Idle, unit: string) =>
  `idle ${idle.perMinute.toFixed(1)} ${unit}/min (live requests answered per client per minute ${idle.answeredPerClientMinute.toFixed(2)}; ` +
  `held at once, fewest ${idle.fewestHeld}; TCP connections to the worker, fewest ${idle.fewestConnections ?? "not measurable on this OS"})`;

const p50p99 = (samples: number[]) =>
  `p50 ${fmt(percentile(samples, 50))}, p99 ${fmt(percentile(samples, 99))}`;

function report(
  database: OwnDatabase,
  rows: { stores: number; idle: Idle; changes: Changes }[],
  problems: number,
) {
  const unit = database.work.unit;
  console.log(
    `\nsync-fanout bench: desktop stores (the real ShapeStream, one API token) on the built-in shape source, ${database.description}`,
  );
  console.log(`  counted: ${database.work.source}`);
  for (const { stores, idle, changes } of rows) {
    console.log(`  ${stores} store(s): ${describeIdle(idle, unit)}`);
    console.log(
      `    ${changes.slowestStore.length} changes → visible, every store: ${p50p99(changes.everyStore)}; the slowest store of each: ${p50p99(changes.slowestStore)}`,
    );
    console.log(
      `    the harness alone, ${stores} concurrent GET /healthz (a route that does nothing) from the stores' thread: ${p50p99(changes.floor)}`,
    );
    console.log(
      `    ${changes.workPerChange.toFixed(1)} ${unit} per change, all included (a pause or resume: the API's own, and the hub's reads)`,
    );
  }
  const one = rows[0]!;
  const most = rows.at(-1)!;
  console.log(
    `  idle ratio ${most.stores}/${one.stores}: ${(most.idle.perMinute / one.idle.perMinute).toFixed(2)} (target ≤ 1.5)`,
  );
  console.log(
    `  change → visible with ${most.stores} stores: ${p50p99(most.changes.everyStore)} (target p50 ≤ 300 ms, p99 ≤ 1 s), where the harness alone takes ${p50p99(most.changes.floor)} to answer as many requests`,
  );
  console.log(`  store problems reported (retried by the stores): ${problems}`);
}
