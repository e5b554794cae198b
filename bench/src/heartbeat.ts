import { schema } from "@cw/db";
import { waitFor } from "@cw/testing";
import { eq } from "drizzle-orm";
import { withBenchStack } from "./bench-stack.ts";
import { fmt, percentile } from "./stats.ts";

const HEARTBEATS = 3_000;
const IN_FLIGHT = 32;
const HEARTBEAT_SECONDS = 1;

/**
 * `pnpm bench heartbeat`: heartbeats per second through one workspace's presence object (over the
 * HTTP API, 32 in flight), and how long after a session's expiry Postgres reflects it.
 */
export async function benchHeartbeat() {
  return withBenchStack(
    { workerVars: { PRESENCE_HEARTBEAT_SECONDS: String(HEARTBEAT_SECONDS) } },
    async (ctx) => {
      const { api } = ctx;
      const created = await api.createWorkspace({
        repositoryId: ctx.repositoryId,
        name: "hb",
        branch: "main",
      });
      await waitFor(
        "the workspace running",
        async () => (await api.getWorkspace(created.id)).status === "running",
      );
      const throughput = async (request: () => Promise<unknown>) => {
        let next = 0;
        const worker = async () => {
          while (next < HEARTBEATS) {
            next++;
            await request();
          }
        };
        await Promise.all(Array.from({ length: 4 }, worker)); // warm-up
        next = 0;
        const t0 = performance.now();
        await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
        return HEARTBEATS / ((performance.now() - t0) / 1000);
      };
      // The same load on a route that does nothing: the ceiling of wrangler dev on this machine.
      // Measured first: with 1 s heartbeats, the session would expire while this ran.
      const ceiling = await throughput(() => api.getHealth());
      const { sessionId } = await api.joinSession(created.id, "desktop");
      const heartbeats = await throughput(() => api.heartbeatSession(created.id, sessionId));

      // Expiry: sessions that stop heartbeating, and when Postgres stops showing them.
      const delays: number[] = [];
      const sessions = ctx.db.db.select().from(schema.cloudWorkspaceSessions);
      await api.leaveSession(created.id, sessionId);
      for (let i = 0; i < 10; i++) {
        const joined = await api.joinSession(created.id, "desktop");
        const [row] = await sessions.where(eq(schema.cloudWorkspaceSessions.id, joined.sessionId));
        const expiresAt = row!.lastHeartbeatAt.getTime() + 3 * HEARTBEAT_SECONDS * 1000;
        await waitFor(
          "the expired session's row gone",
          async () =>
            (await sessions.where(eq(schema.cloudWorkspaceSessions.id, joined.sessionId))).length === 0,
          60_000,
          10,
        );
        delays.push(Date.now() - expiresAt);
      }
      console.log(
        `\nheartbeat bench: ${HEARTBEATS} heartbeats, ${IN_FLIGHT} in flight, through one workspace's presence object`,
      );
      console.log(`  throughput: ${heartbeats.toFixed(0)} heartbeats/s (target ≥ 1000/s)`);
      console.log(
        `  same load on GET /healthz (the local harness's ceiling): ${ceiling.toFixed(0)} requests/s`,
      );
      console.log(
        `  expiry → Postgres row gone: p50 ${fmt(percentile(delays, 50))}, max ${fmt(Math.max(...delays))} (over ${delays.length} sessions)`,
      );
    },
  );
}
