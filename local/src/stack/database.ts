import { join } from "node:path";
import { migrateDatabase, startWsProxy } from "@cw/db/node";
import { startEmbeddedPostgres } from "./embedded-postgres.ts";
import type { Log } from "./log.ts";

export interface StackDatabase {
  DATABASE_URL: string;
  DATABASE_WS_PROXY: string;
  embedded: boolean;
  close(): Promise<void>;
}

/**
 * The user's DATABASE_URL when given, else an embedded PostgreSQL under `dataDir/postgres`; either
 * way behind a local WebSocket proxy for the Neon driver, with migrations applied.
 */
export async function startDatabase(opts: {
  dataDir: string;
  databaseUrl?: string;
  embeddedPort: number;
  log: Log;
}): Promise<StackDatabase> {
  const embedded = opts.databaseUrl
    ? undefined
    : await startEmbeddedPostgres({
        dir: join(opts.dataDir, "postgres"),
        port: opts.embeddedPort,
        log: opts.log,
      });
  const url = opts.databaseUrl ?? embedded!.url;
  const proxy = await startWsProxy();
  try {
    await migrateDatabase({ DATABASE_URL: url, DATABASE_WS_PROXY: proxy.address });
  } catch (err) {
    await proxy.close();
    await embedded?.close();
    throw err;
  }
  opts.log(`migrations applied; WebSocket proxy on ${proxy.address}`);
  return {
    DATABASE_URL: url,
    DATABASE_WS_PROXY: proxy.address,
    embedded: Boolean(embedded),
    async close() {
      await proxy.close();
      await embedded?.close();
    },
  };
}
