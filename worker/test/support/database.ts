import { createDb, createOrganizationWithOwner, type DbHandle } from "@cw/db";
import { waitFor } from "@cw/testing";
import { sql } from "drizzle-orm";
import { inject } from "vitest";

/**
 * A database of this test file's own, cloned from the migrated template (fast: a file copy in
 * Postgres), so files never see each other's rows.
 */
export async function freshDatabase(): Promise<{ env: { DATABASE_URL: string; DATABASE_WS_PROXY: string } }> {
  const proxy = inject("dbProxy");
  const name = `${inject("dbPrefix")}${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`;
  const admin = createDb({ DATABASE_URL: `${inject("pgBaseUrl")}/postgres`, DATABASE_WS_PROXY: proxy });
  try {
    await admin.db.execute(sql.raw(`create database ${name} template ${inject("templateDb")}`));
  } finally {
    await admin.close();
  }
  return { env: { DATABASE_URL: `${inject("pgBaseUrl")}/${name}`, DATABASE_WS_PROXY: proxy } };
}

/** The database in the workers' binding, which Durable Objects write to (see global-setup.ts). */
export function sharedDatabase(): { env: { DATABASE_URL: string; DATABASE_WS_PROXY: string } } {
  return { env: { DATABASE_URL: inject("sharedDbUrl"), DATABASE_WS_PROXY: inject("dbProxy") } };
}

export function openDb(env: { DATABASE_URL: string; DATABASE_WS_PROXY: string }): DbHandle {
  return createDb(env);
}

let counter = 0;
export async function seedOrganization(db: DbHandle, label = "org") {
  counter++;
  return createOrganizationWithOwner(db.db, {
    organizationName: `${label}-${counter}`,
    email: `${label}-${counter}-${crypto.randomUUID()}@example.test`,
    userName: `${label} owner`,
  });
}

/**
 * Waits until every transaction that had begun when it was called has ended. The event log (like
 * the sync change log) shows only transactions older than the oldest one still running on the
 * server — other databases' and other test runs' included — so a read right after a change may
 * not show it yet.
 */
export async function logsFinal(env: { DATABASE_URL: string; DATABASE_WS_PROXY: string }) {
  const db = openDb(env);
  const bound = async (which: "xmin" | "xmax") =>
    BigInt(
      String(
        (await db.db.execute(sql.raw(`select pg_snapshot_${which}(pg_current_snapshot())::text as v`)))
          .rows[0]!.v,
      ),
    );
  try {
    const next = await bound("xmax");
    await waitFor("the transactions under way to end", async () => (await bound("xmin")) >= next);
  } finally {
    await db.close();
  }
}
