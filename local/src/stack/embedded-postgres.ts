import { mkdirSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import type { Log } from "./log.ts";

/**
 * PGlite (Postgres compiled to WebAssembly) persisted under `dataDir`, served on a TCP port so the
 * worker reaches it through the same WebSocket proxy and driver as any Postgres.
 */
export async function startEmbeddedPostgres(dataDir: string, port: number, log: Log) {
  mkdirSync(dataDir, { recursive: true });
  const db = await PGlite.create(dataDir);
  const server = new PGLiteSocketServer({ db, port, host: "127.0.0.1", maxConnections: 64 });
  await server.start();
  log(`embedded Postgres (PGlite) on 127.0.0.1:${port}, data in ${dataDir}`);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    /** Connections PGlite's socket server holds open right now. */
    connections: () => server.getStats().activeConnections,
    async close() {
      await server.stop();
      await db.close();
    },
  };
}
