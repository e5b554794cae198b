import { randomBytes } from "node:crypto";
import { mkdirSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { writePrivateFileSync } from "@cw/client-node/private-files";
import { type LocalStackFile, localDataDir, localStackFilePath } from "@cw/db/node";
import { startCronTicker } from "./stack/cron-ticker.ts";
import { startDatabase } from "./stack/database.ts";
import { ensureDemoRepository } from "./stack/demo-repo.ts";
import { localGitCredentialKeys } from "./stack/git-credential-key.ts";
import { type Log, logger as stdoutLogger } from "./stack/log.ts";
import { portOr } from "./stack/ports.ts";
import { ensureLocalOrganization } from "./stack/seed.ts";
import { startWranglerDev } from "./stack/wrangler-dev.ts";
import { startVmHost, type VmHost } from "./vm-host/index.ts";

export const repoRoot = fileURLToPath(new URL("../..", import.meta.url));

export interface StackOptions {
  /** Default: `CW_DATA_DIR`, else `.data/` at the repository's root. */
  dataDir?: string;
  /** Any Postgres; unset → an embedded PostgreSQL under dataDir. */
  databaseUrl?: string;
  /** Real Freestyle; unset → the local VM host. */
  freestyleApiKey?: string;
  freestyleApiUrl?: string;
  workerPort?: number;
  vmHostPort?: number;
  vmHostSshPort?: number;
  embeddedPostgresPort?: number;
  /** Enables the VM host's test-only control routes. */
  vmHostControl?: boolean;
  cronEveryMs?: number;
  /** Extra worker variables (e.g. PRESENCE_HEARTBEAT_SECONDS for a benchmark). */
  workerVars?: Record<string, string>;
  /** Where log lines go; default stdout with a coloured component prefix. */
  log?: (component: string) => Log;
}

/**
 * Everything the product needs on one machine: database, migrations, VM host (unless real
 * Freestyle is configured), the worker under wrangler dev with a cron tick, and a seeded
 * organization with its token. `close()` stops it all, in reverse order.
 */
export async function startStack(opts: StackOptions = {}) {
  const dataDir = resolve(opts.dataDir ?? localDataDir());
  mkdirSync(dataDir, { recursive: true });
  const logger = opts.log ?? stdoutLogger;
  const log = logger("stack");
  const closers: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const fn of closers.reverse()) await fn().catch((err) => log(`shutdown: ${err}`));
    closers.length = 0;
  };
  try {
    const db = await startDatabase({
      dataDir,
      databaseUrl: opts.databaseUrl,
      embeddedPort: await portOr(opts.embeddedPostgresPort),
      log: logger("db"),
    });
    closers.push(db.close);
    // Lets `pnpm admin` find the running stack's database.
    const stackFile = localStackFilePath(dataDir);
    writePrivateFileSync(
      stackFile,
      JSON.stringify({ databaseUrl: db.DATABASE_URL } satisfies LocalStackFile),
    );
    closers.push(async () => rmSync(stackFile, { force: true }));

    let vmHost: VmHost | undefined;
    // A new key each start, known only to this process and the worker's owner-only env file:
    // whoever holds it runs commands as the developer (every VM is the developer's own user).
    const vmHostKey = randomBytes(32).toString("base64url");
    if (!opts.freestyleApiKey) {
      vmHost = await startVmHost({
        dataDir: join(dataDir, "vm-host"),
        apiKey: vmHostKey,
        httpPort: await portOr(opts.vmHostPort),
        sshPort: await portOr(opts.vmHostSshPort),
        control: opts.vmHostControl,
        log: logger("vm-host"),
      });
      closers.push(() => vmHost!.close());
    }

    const demo = ensureDemoRepository(join(dataDir, "demo-repo"));
    const seed = await ensureLocalOrganization(db, dataDir, { name: "demo", cloneUrl: `file://${demo}` });

    const workerPort = await portOr(opts.workerPort);
    const worker = await startWranglerDev({
      rootDir: repoRoot,
      dataDir,
      port: workerPort,
      log: logger("worker"),
      vars: {
        // Where the VMs' git asks for credentials: this machine's worker, which the local VM host's
        // VMs (processes here) reach. VMs on real Freestyle need a public URL (a tunnel) instead.
        PUBLIC_URL: process.env.PUBLIC_URL || `http://127.0.0.1:${workerPort}`,
        GIT_CREDENTIAL_KEYS: localGitCredentialKeys(dataDir),
        ...opts.workerVars,
        DATABASE_URL: db.DATABASE_URL,
        DATABASE_WS_PROXY: db.DATABASE_WS_PROXY,
        ...(vmHost
          ? {
              FREESTYLE_API_KEY: vmHostKey,
              FREESTYLE_API_URL: vmHost.url,
              FREESTYLE_SSH_HOST: vmHost.sshHost,
              FREESTYLE_SSH_PORT: String(vmHost.sshPort),
              // The demo repository is a file:// path, which only a local VM host can clone.
              ALLOW_LOCAL_REPOSITORIES: "true",
            }
          : {
              FREESTYLE_API_KEY: opts.freestyleApiKey!,
              ...(opts.freestyleApiUrl ? { FREESTYLE_API_URL: opts.freestyleApiUrl } : {}),
            }),
      },
    });
    closers.push(worker.close);

    const cron = startCronTicker(worker.url, logger("cron"), opts.cronEveryMs);
    closers.push(async () => cron.close());

    return {
      workerUrl: worker.url,
      token: seed.token,
      db,
      vmHost: vmHost && { ...vmHost, apiKey: vmHostKey },
      dataDir,
      tick: cron.tick,
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
