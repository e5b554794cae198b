import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDb } from "@cw/db";
import { migrateDatabase, startWsProxy, useNodeWebSocket } from "@cw/db/node";
import { startVmHost } from "@cw/local/vm-host/index";
import { createGitFixture, startDohServer, testPostgres } from "@cw/testing/node";
import { sql } from "drizzle-orm";
import type { TestProject } from "vitest/node";
import { startShapeUpstream } from "./support/shape-upstream.ts";

/**
 * Runs in Node before the workerd tests: a PostgreSQL (the one at TEST_PG_HOST, else an embedded
 * one), a WebSocket proxy in front of it (the Neon driver in workerd speaks only WebSocket) and a
 * migrated template database that each test file clones into a database of its own.
 */
export const TEMPLATE_DB = "cw_test_template";
const VM_HOST_KEY = "test-key";
const SHARED_DB = "cw_t_shared";

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

async function dropTestDatabases(baseUrl: string, proxy: string) {
  const handle = maintenance(baseUrl, proxy);
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
  const postgres = await testPostgres();
  console.log(`worker tests: ${postgres.description}`);
  const base = postgres.baseUrl;
  const proxy = await startWsProxy();
  await dropTestDatabases(base, proxy.address);
  await admin(base, proxy.address, [`create database ${TEMPLATE_DB}`]);
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
  // A recording stand-in for Electric, for the shape route's proxy mode (shape-proxy.test.ts).
  const shapeUpstream = await startShapeUpstream();
  project.provide("shapeUpstream", shapeUpstream.url);
  // The repository URL policy resolves hosts through this, never through a resolver on the internet.
  const doh = await startDohServer();
  project.provide("dnsResolver", doh.url);
  return async () => {
    await doh.close();
    await shapeUpstream.close();
    await vmHost.close();
    await dropTestDatabases(base, proxy.address);
    await proxy.close();
    await postgres.close();
    rmSync(scratch, { recursive: true, force: true });
  };
}
