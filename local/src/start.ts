import { logger } from "./stack/log.ts";
import { startStack } from "./stack.ts";

const log = logger("stack");
const env = process.env;

// Ctrl-C while starting: exit, so the exit hooks stop the children already started (the database,
// wrangler); a signal's default action would skip them. Once started, `shutdown` below takes over.
const duringStartUp = () => process.exit(130);
process.once("SIGINT", duringStartUp);
process.once("SIGTERM", duringStartUp);

const num = (v: string | undefined, fallback: number) => (v ? Number(v) : fallback);

const stack = await startStack({
  dataDir: env.CW_DATA_DIR,
  databaseUrl: env.DATABASE_URL || undefined,
  freestyleApiKey: env.FREESTYLE_API_KEY || undefined,
  freestyleApiUrl: env.FREESTYLE_API_URL || undefined,
  workerPort: num(env.WORKER_PORT, 8787),
  vmHostPort: num(env.VM_HOST_PORT, 8788),
  vmHostSshPort: num(env.VM_HOST_SSH_PORT, 2222),
  embeddedPostgresPort: num(env.EMBEDDED_PG_PORT, 5433),
});

log(`
Cloud workspaces is running.
  API          ${stack.workerUrl}   (OpenAPI: ${stack.workerUrl}/openapi.json)
  Database     ${stack.db.DATABASE_URL}${stack.db.embedded ? "   (embedded PostgreSQL)" : ""}
  VM host      ${stack.vmHost ? `${stack.vmHost.url}, SSH ${stack.vmHost.sshHost}:${stack.vmHost.sshPort}` : "real Freestyle"}
  API token    ${stack.token}

Try:
  export CW_TOKEN=${stack.token}
  curl -s -H "Authorization: Bearer $CW_TOKEN" ${stack.workerUrl}/v1/repositories
Ctrl-C stops everything.`);

let stopping = false;
const shutdown = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  log(`${signal}: stopping…`);
  await stack.close();
  log("stopped");
  process.exit(0);
};
process.off("SIGINT", duringStartUp);
process.off("SIGTERM", duringStartUp);
process.on("SIGINT", () => void shutdown("SIGINT"));
process.on("SIGTERM", () => void shutdown("SIGTERM"));
