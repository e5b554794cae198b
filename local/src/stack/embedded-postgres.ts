import { mkdirSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import type { Log } from "./log.ts";
import { servePglite } from "./pglite-server.ts";

/**
 * PGlite (Postgres compiled to WebAssembly) persisted under `dataDir`, served on a TCP port so the
 * worker reaches it through the same WebSocket proxy and driver as any Postgres.
 */
export async function startEmbeddedPostgres(dataDir: string, port: number, log: Log) {
  mkdirSync(dataDir, { recursive: true });
  const db = await PGlite.create(dataDir);
  const server = await servePglite(db, port);
  log(`embedded Postgres (PGlite) on 127.0.0.1:${server.port}, data in ${dataDir}`);
  return {
    url: `postgres://postgres@127.0.0.1:${server.port}/postgres`,
    /** Client connections open right now. */
    connections: () => server.connections(),
    async close() {
      await server.close();
      await db.close();
    },
  };
}
