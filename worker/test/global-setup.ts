import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDb } from "@cw/db";
import { migrateDatabase, startWsProxy, useNodeWebSocket } from "@cw/db/node";
import { createLocalRepository } from "@cw/local/git-repo";
import { startVmHost } from "@cw/local/vm-host/index";
import { sql } from "drizzle-orm";
import type { TestProject } from "vitest/node";
import { startShapeUpstream } from "./support/shape-upstream.ts";

/**
 * Runs in Node before the workerd tests: a WebSocket proxy in front of the machine's Postgres (the
 * Neon driver in workerd speaks only WebSocket) and a migrated template database that each test
 * file clones into a database of its own.
 */
const PG_HOST = process.env.TEST_PG_HOST ?? "127.0.0.1:5432";
const PG_USER = process.env.TEST_PG_USER ?? "postgres";
export const TEMPLATE_DB = "cw_test_template";
const VM_HOST_KEY = "test-key";
const SHARED_DB = "cw_t_shared";

const url = (db: string) => `postgres://${PG_USER}@${PG_HOST}/${db}`;

async function admin(proxy: string, statements: string[]) {
  const handle = createDb({ DATABASE_URL: url("postgres"), DATABASE_WS_PROXY: proxy });
  try {
    for (const statement of statements) await handle.db.execute(sql.raw(statement));
  } finally {
    await handle.close();
  }
}

async function dropTestDatabases(proxy: string) {
  const handle = createDb({ DATABASE_URL: url("postgres"), DATABASE_WS_PROXY: proxy });
  try {
    const { rows } = await handle.db.execute<{ datname: string }>(
      sql`select datname from pg_database where datname like 'cw_t_%' or datname = ${TEMPLATE_DB}`,
    );
    for (const { datname } of rows)
      await handle.db.execute(sql.raw(`drop database if exists "${datname}" with (force)`));
  } finally {
    await handle.close();
  }
}

export default async function setup(project: TestProject) {
  useNodeWebSocket();
  const proxy = await startWsProxy();
  await dropTestDatabases(proxy.address);
  await admin(proxy.address, [`create database ${TEMPLATE_DB}`]);
  await migrateDatabase({ DATABASE_URL: url(TEMPLATE_DB), DATABASE_WS_PROXY: proxy.address });
  // The workers' own binding: Durable Objects can only reach the database named in their env, so
  // files that exercise them share this one (each still makes its own organizations).
  await admin(proxy.address, [`create database ${SHARED_DB} template ${TEMPLATE_DB}`]);
  project.provide("sharedDbUrl", url(SHARED_DB));
  const scratch = mkdtempSync(join(tmpdir(), "cw-worker-test-"));
  const repo = createLocalRepository(join(scratch, "repo"));
  const vmHost = await startVmHost({ dataDir: join(scratch, "vm-host"), apiKey: VM_HOST_KEY, control: true });
  project.provide("vmHost", { url: vmHost.url, sshHost: vmHost.sshHost, sshPort: vmHost.sshPort });
  project.provide("gitRepo", {
    cloneUrl: repo.cloneUrl,
    mainHead: repo.head("main"),
    featureHead: repo.head("feature"),
    vmsDir: join(scratch, "vm-host", "vms"),
  });
  project.provide("dbProxy", proxy.address);
  project.provide("pgBaseUrl", `postgres://${PG_USER}@${PG_HOST}`);
  project.provide("templateDb", TEMPLATE_DB);
  // A recording stand-in for Electric, for the shape route's proxy mode (shape-proxy.test.ts).
  const shapeUpstream = await startShapeUpstream();
  project.provide("shapeUpstream", shapeUpstream.url);
  return async () => {
    await shapeUpstream.close();
    await vmHost.close();
    await dropTestDatabases(proxy.address);
    await proxy.close();
    rmSync(scratch, { recursive: true, force: true });
  };
}
