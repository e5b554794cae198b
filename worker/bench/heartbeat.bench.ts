import { env, runInDurableObject } from "cloudflare:test";
import { schema } from "@cw/db";
import { waitFor } from "@cw/testing";
import { eq } from "drizzle-orm";
import { expect, it } from "vitest";
import { openDb, sharedDatabase } from "../test/support/database.ts";
import { createRunning, type Org, setupOrg } from "../test/support/org.ts";

/**
 * `pnpm bench heartbeat`, inside workerd: heartbeats per second through one workspace's presence
 * object beside what the same harness does with calls that do (next to) nothing, so the figure is
 * the object's and not the harness's. Then the same through the worker's fetch handler, and how
 * long after a session's expiry Postgres reflects it.
 */

const IN_FLIGHT = 32;
/** The workspace's most live sessions (MAX_SESSIONS_PER_WORKSPACE's default); heartbeats go round them. */
const SESSIONS = 20;
const ROUNDS = 3;
const CALLS = 5_000;
const HTTP_CALLS = 500;
const EXPIRIES = 10;
/** The bench project's PRESENCE_HEARTBEAT_SECONDS (vitest.bench.config.mts); three missed end a session. */
const EXPIRES_AFTER_MS = 3 * 1_000;

/** Calls per second over `count` calls of `call`, IN_FLIGHT at a time. */
async function rate(count: number, call: (i: number) => Promise<unknown>) {
  let next = 0;
  const loop = async () => {
    while (next < count) await call(next++);
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: IN_FLIGHT }, loop));
  return count / ((performance.now() - t0) / 1000);
}

/** Each measure's median over ROUNDS rounds, interleaved so that load on the machine hits all alike. */
async function medians<K extends string>(measures: Record<K, () => Promise<number>>) {
  const keys = Object.keys(measures) as K[];
  const samples = keys.map((): number[] => []);
  for (let round = 0; round < ROUNDS; round++) {
    for (const [i, key] of keys.entries()) samples[i]!.push(await measures[key]());
  }
  const median = (xs: number[]) => xs.sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
  return Object.fromEntries(keys.map((key, i) => [key, median(samples[i]!)])) as Record<K, number>;
}

const perSecond = (n: number) => `${n.toFixed(0)}/s`;

type PresenceStub = ReturnType<typeof env.WORKSPACE_PRESENCE.get>;

it("heartbeats through one workspace's presence object", async () => {
  const bindings = sharedDatabase().env;
  const org = await setupOrg(bindings, "bench-hb");
  const ws = await createRunning(org, "hb");
  const ns = env.WORKSPACE_PRESENCE;
  const stub = ns.get(ns.idFromName(ws.id));
  const heartbeatPath = (sessionId: string) => `/v1/workspaces/${ws.id}/sessions/${sessionId}/heartbeat`;

  /** Joins SESSIONS sessions, runs `count` heartbeats round them with `beat`, leaves; the rate. */
  const heartbeats = async (count: number, beat: (sessionId: string) => Promise<boolean>) => {
    const ids = await Promise.all(Array.from({ length: SESSIONS }, () => join(stub, ws.id, org)));
    let refused = 0;
    const perSec = await rate(count, async (i) => {
      if (!(await beat(ids[i % SESSIONS]!))) refused++;
    });
    await Promise.all(ids.map((id) => stub.leave(ws.id, id, org.userId)));
    expect(refused).toBe(0);
    return perSec;
  };

  // Warm-up: the object, its tables and the isolate's token cache.
  await heartbeats(1_000, (id) => stub.heartbeat(ws.id, id, org.userId));
  await runInDurableObject(stub, (_instance, state) => {
    state.storage.sql.exec("create table if not exists bench_probe (id integer primary key, at integer)");
  });

  const object = await medians({
    heartbeat: () => heartbeats(CALLS, (id) => stub.heartbeat(ws.id, id, org.userId)),
    noop: () => rate(CALLS, () => runInDurableObject(stub, () => undefined)),
    oneWrite: () =>
      rate(CALLS, (i) =>
        runInDurableObject(stub, (_instance, state) => {
          state.storage.sql.exec(
            "insert into bench_probe values (?, ?) on conflict (id) do update set at = excluded.at",
            i % SESSIONS,
            Date.now(),
          );
        }),
      ),
  });

  const http = await medians({
    heartbeat: () =>
      heartbeats(HTTP_CALLS, async (id) => (await org.api("POST", heartbeatPath(id))).status === 204),
    healthz: () => rate(HTTP_CALLS, () => org.api("GET", "/healthz")),
    // What the route does before the object: checks the workspace is the caller's, on a connection
    // of the request's own (as every Worker request opens one).
    query: () =>
      rate(HTTP_CALLS, async () => {
        const db = openDb(bindings);
        try {
          await db.db
            .select({ id: schema.cloudWorkspaces.id })
            .from(schema.cloudWorkspaces)
            .where(eq(schema.cloudWorkspaces.id, ws.id));
        } finally {
          await db.close();
        }
      }),
  });

  // Expiry: a session that never heartbeats, and when Postgres stops showing it.
  const delays: number[] = [];
  const database = openDb(bindings);
  try {
    const sessions = database.db.select().from(schema.cloudWorkspaceSessions);
    for (let i = 0; i < EXPIRIES; i++) {
      const sessionId = await join(stub, ws.id, org);
      const [row] = await sessions.where(eq(schema.cloudWorkspaceSessions.id, sessionId));
      const expiresAt = row!.lastHeartbeatAt.getTime() + EXPIRES_AFTER_MS;
      await waitFor(
        "the expired session's row gone",
        async () => (await sessions.where(eq(schema.cloudWorkspaceSessions.id, sessionId))).length === 0,
        60_000,
        10,
      );
      delays.push(Date.now() - expiresAt);
    }
  } finally {
    await database.close();
  }
  delays.sort((a, b) => a - b);

  console.log(
    [
      "",
      `heartbeat bench, inside workerd: ${SESSIONS} sessions of one workspace, ${IN_FLIGHT} calls in flight, median of ${ROUNDS} rounds`,
      `  through the presence object (RPC, ${CALLS} a round): ${perSecond(object.heartbeat)} (target ≥ 1000/s)`,
      `    harness ceiling, a call into the same object that does nothing: ${perSecond(object.noop)}; ratio ${(object.heartbeat / object.noop).toFixed(2)}`,
      `    a call that writes one row of the object's SQLite (what keeping each heartbeat in storage costs): ${perSecond(object.oneWrite)}`,
      `  through the worker's fetch handler (POST …/heartbeat, ${HTTP_CALLS} a round): ${perSecond(http.heartbeat)}`,
      `    GET /healthz the same way: ${perSecond(http.healthz)}; one Postgres query on a fresh connection (the route's workspace check): ${perSecond(http.query)}`,
      `  expiry → Postgres row gone: p50 ${delays[Math.floor(delays.length / 2)]} ms, max ${delays.at(-1)} ms (over ${EXPIRIES} sessions)`,
    ].join("\n"),
  );
});

async function join(stub: PresenceStub, workspaceId: string, org: Org) {
  const joined = await stub.join(workspaceId, org.userId, "desktop");
  if ("full" in joined) throw new Error("the workspace is full");
  return joined.sessionId;
}
