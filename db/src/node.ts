import { fileURLToPath } from "node:url";
import { neonConfig } from "@neondatabase/serverless";
import { migrate } from "drizzle-orm/neon-serverless/migrator";
import WebSocket from "ws";
import { createDb, type DbEnv } from "./client.ts";

export { startWsProxy, type WsProxy } from "./ws-proxy.ts";

export const migrationsFolder = fileURLToPath(new URL("../migrations", import.meta.url));

/** Node has no WebSocket global before v22; the Neon driver needs one. */
export function useNodeWebSocket(): void {
  neonConfig.webSocketConstructor = WebSocket;
}

export async function migrateDatabase(env: DbEnv): Promise<void> {
  useNodeWebSocket();
  const handle = createDb(env);
  try {
    await migrate(handle.db, { migrationsFolder });
  } finally {
    await handle.close();
  }
}
