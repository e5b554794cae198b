import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDb } from "@cw/db";
import { migrateDatabase, startWsProxy, useNodeWebSocket } from "@cw/db/node";
import { startVmHost } from "@cw/local/vm-host/index";
import {
  createGitFixture,
  startDohServer,
  startSilentServer,
  startWebhookReceiver,
  testPostgres,
} from "@cw/testing/node";
import { sql } from "drizzle-orm";
import type { TestProject } from "vitest/node";
import { startShapeUpstream } from "./support/shape-upstream.ts";

/**
 * Runs in Node before the workerd tests: a PostgreSQL (the one at TEST_PG_HOST, else an embedded
 * one), a WebSocket proxy in front of it (the Neon driver in workerd speaks only WebSocket) and a
 * migrated template database that each test file clones into a database of its own.
 */
/**
 * This run's databases all start with `cw_t_r<run id>_`, so runs sharing one server (two checkouts,
 * a developer beside CI) never drop each other's. The template's comment names the run's process;
 * a run that starts drops only the databases of runs whose process is gone.
 */
const RUN_PREFIX = `cw_t_r${randomBytes(4).toString("hex")}_`;
const TEMPLATE_DB = `${RUN_PREFIX}template`;
const SHARED_DB = `${RUN_PREFIX}shared`;
const OWNER_NOTE = /^cw-test pid=(\d+)$/;
const VM_HOST_KEY = "test-key";

/** The server's maintenance database, where databases are created and dropped. */
const maintenance = (baseUrl: string, proxy: string) =>
  createDb({ DATABASE_URL: `${baseUrl}/postgres`, DATABASE_WS_PROXY: proxy });

async function admin(baseUrl: string, proxy: string, statements: string[]) {
  const handle = maintenance(baseUrl, proxy);
  try {
    for (const statement of statements) await handle.db.execute(sql.raw(statement));
  } finally {
    await handle.close();
  }
}

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
};

/** Drops this run's databases (`which: "own"`), or those of runs whose process is gone. */
async function dropTestDatabases(baseUrl: string, proxy: string, which: "own" | "abandoned") {
  const handle = maintenance(baseUrl, proxy);
  try {
    const { rows } = await handle.db.execute<{ datname: string; note: string | null }>(
      sql`select datname, shobj_description(oid, 'pg_database') as note from pg_database
          where datname like 'cw\_t\_%' or datname = 'cw_test_template'`,
    );
    const liveRuns = new Set(
      rows.flatMap(({ datname, note }) => {
        const pid = OWNER_NOTE.exec(note ?? "")?.[1];
        return datname.endsWith("_template") && pid && isAlive(Number(pid))
          ? [datname.slice(0, -"template".length)]
          : [];
      }),
    );
    for (const { datname } of rows) {
      const run = /^cw_t_r[0-9a-f]{8}_/.exec(datname)?.[0];
      const drop = which === "own" ? run === RUN_PREFIX : !(run && liveRuns.has(run));
      if (drop) await handle.db.execute(sql.raw(`drop database if exists "${datname}" with (force)`));
    }
  } finally {
    await handle.close();
  }
}

export default async function setup(project: TestProject) {
  useNodeWebSocket();
  const postgres = await testPostgres();
  console.log(`worker tests: ${postgres.description}`);
  const base = postgres.baseUrl;
  const proxy = await startWsProxy();
  await dropTestDatabases(base, proxy.address, "abandoned");
  await admin(base, proxy.address, [
    `create database ${TEMPLATE_DB}`,
    `comment on database ${TEMPLATE_DB} is 'cw-test pid=${process.pid}'`,
  ]);
  await migrateDatabase({ DATABASE_URL: `${base}/${TEMPLATE_DB}`, DATABASE_WS_PROXY: proxy.address });
  // The workers' own binding: Durable Objects can only reach the database named in their env, so
  // files that exercise them share this one (each still makes its own organizations).
  await admin(base, proxy.address, [`create database ${SHARED_DB} template ${TEMPLATE_DB}`]);
  project.provide("sharedDbUrl", `${base}/${SHARED_DB}`);
  const scratch = mkdtempSync(join(tmpdir(), "cw-worker-test-"));
  const repo = createGitFixture(join(scratch, "repo"));
  // A git host that takes clones but refuses every push (a pre-receive hook), for failing saves.
  const refusing = createGitFixture(join(scratch, "refusing"));
  writeFileSync(
    join(refusing.bare, "hooks", "pre-receive"),
    "#!/bin/sh\necho 'pushes are closed' >&2\nexit 1\n",
    {
      mode: 0o755,
    },
  );
  const vmHost = await startVmHost({ dataDir: join(scratch, "vm-host"), apiKey: VM_HOST_KEY, control: true });
  project.provide("vmHost", { url: vmHost.url, sshHost: vmHost.sshHost, sshPort: vmHost.sshPort });
  project.provide("gitRepo", {
    cloneUrl: repo.cloneUrl,
    mainHead: repo.head("main"),
    featureHead: repo.head("feature"),
    vmsDir: join(scratch, "vm-host", "vms"),
    refusingPushUrl: refusing.cloneUrl,
  });
  project.provide("dbProxy", proxy.address);
  project.provide("pgBaseUrl", base);
  project.provide("templateDb", TEMPLATE_DB);
  project.provide("dbPrefix", RUN_PREFIX);
  // A recording stand-in for Electric, for the shape route's proxy mode (shape-proxy.test.ts).
  const shapeUpstream = await startShapeUpstream();
  project.provide("shapeUpstream", shapeUpstream.url);
  // The repository URL policy resolves hosts through this, never through a resolver on the internet.
  const doh = await startDohServer();
  project.provide("dnsResolver", doh.url);
  // A git remote that accepts connections and never answers (slow-tenant.test.ts).
  const silent = await startSilentServer();
  project.provide("hangingGitUrl", `${silent.url}/never.git`);
  // Webhook deliveries go to a real HTTP receiver that records them (webhooks.test.ts).
  const receiver = await startWebhookReceiver();
  project.provide("webhookReceiver", receiver.url);
  return async () => {
    await receiver.close();
    await silent.close();
    await doh.close();
    await shapeUpstream.close();
    await vmHost.close();
    await dropTestDatabases(base, proxy.address, "own");
    await proxy.close();
    await postgres.close();
    rmSync(scratch, { recursive: true, force: true });
  };
}
