import { neonConfig, Pool } from "@neondatabase/serverless";
import { drizzle } from "drizzle-orm/neon-serverless";
import * as schema from "./schema/index.ts";

export interface DbEnv {
  DATABASE_URL: string;
  /**
   * host:port of a WebSocket→TCP proxy for Postgres that is not Neon (local stack, tests).
   * Unset in production, where Neon's own endpoint speaks WebSocket.
   */
  DATABASE_WS_PROXY?: string;
}

export type Database = ReturnType<typeof drizzle<typeof schema>>;

export interface DbHandle {
  db: Database;
  close(): Promise<void>;
}

/** Points the Neon driver at a plain Postgres behind `proxy`, or back at Neon when it is unset. */
export function configureDriver(proxy: string | undefined): void {
  if (proxy) {
    neonConfig.wsProxy = (host, port) => `${proxy}/v2?address=${host}:${port}`;
    neonConfig.useSecureWebSocket = false;
    neonConfig.pipelineTLS = false;
    neonConfig.pipelineConnect = false;
  } else {
    neonConfig.wsProxy = (host) => `${host}/v2`;
    neonConfig.useSecureWebSocket = true;
    neonConfig.pipelineConnect = "password";
  }
}

/**
 * One pool per request or scheduled event (Workers forbid sharing I/O objects across requests);
 * the caller closes it, normally through `ctx.waitUntil(handle.close())`.
 */
export function createDb(env: DbEnv): DbHandle {
  configureDriver(env.DATABASE_WS_PROXY);
  // A client idle for a second is closed: a request that then waits (a long-poll, an event stream,
  // waitFor) holds no database connection while it does.
  const pool = new Pool({ connectionString: env.DATABASE_URL, max: 4, idleTimeoutMillis: 1_000 });
  // An idle client's socket error must not crash the isolate; the next query reports it instead.
  pool.on("error", () => {});
  return { db: drizzle({ client: pool, schema }), close: () => pool.end() };
}
