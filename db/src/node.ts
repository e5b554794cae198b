import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { neonConfig } from "@neondatabase/serverless";
import { migrate } from "drizzle-orm/neon-serverless/migrator";
import { createDb, type DbEnv } from "./client.ts";

export { startWsProxy, type WsProxy } from "./ws-proxy.ts";

export const migrationsFolder = fileURLToPath(new URL("../migrations", import.meta.url));

/** Node has no WebSocket global before v22; the Neon driver needs one. */
export function useNodeWebSocket(): void {
  // require: see ws-proxy.ts for why not an import.
  neonConfig.webSocketConstructor = createRequire(import.meta.url)("ws");
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
export {
  type LocalStackFile,
  localDataDir,
  localStackFilePath,
  readLocalStackFile,
} from "./local-stack-file.ts";
