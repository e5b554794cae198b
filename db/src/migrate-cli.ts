import { migrateDatabase, startWsProxy } from "./node.ts";

/**
 * `pnpm db:migrate`: applies migrations to DATABASE_URL. For a Postgres that is not Neon, a local
 * WebSocket proxy is started for the run unless DATABASE_WS_PROXY names one already.
 */
const url = process.env.DATABASE_URL;
if (!url) {
  console.error("DATABASE_URL is not set");
  process.exit(1);
}
const isNeon = /\.neon\.tech(:\d+)?\//.test(url);
const proxy = !isNeon && !process.env.DATABASE_WS_PROXY ? await startWsProxy() : undefined;
try {
  await migrateDatabase({
    DATABASE_URL: url,
    DATABASE_WS_PROXY: process.env.DATABASE_WS_PROXY ?? proxy?.address,
  });
  console.log("migrations applied");
} finally {
  await proxy?.close();
}
