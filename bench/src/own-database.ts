import { randomBytes } from "node:crypto";
import { configureDriver, createDb, type DbEnv } from "@cw/db";
import { startWsProxy, useNodeWebSocket } from "@cw/db/node";
import { testPostgres } from "@cw/testing/node";
import { sql } from "drizzle-orm";
import { z } from "zod";

/**
 * A database of the bench's own on the machine's PostgreSQL (`TEST_PG_HOST`, default
 * 127.0.0.1:5432) when one answers, else on an embedded server; dropped afterwards. Unlike PGlite or
 * a shared database, the server's own statistics then count exactly the work the stack asked of it.
 */
export interface OwnDatabase {
  url: string;
  /** Where it is, for the bench's output. */
  description: string;
  /** What the server did in this database so far. */
  work: ServerWork;
}

/**
 * The server's own count of what it ran in the bench's database: `pg_stat_statements` calls when
 * the server loads it, else `pg_stat_database`'s committed and rolled-back transactions (each
 * statement outside a transaction block is one; a `db.transaction` of several counts once).
 */
export interface ServerWork {
  unit: "statements" | "transactions";
  source: string;
  count(): Promise<number>;
  close(): Promise<void>;
}

const countRow = z.object({ n: z.union([z.string(), z.number()]).transform(Number) });

export async function withOwnDatabase<T>(prefix: string, run: (db: OwnDatabase) => Promise<T>): Promise<T> {
  useNodeWebSocket();
  const server = await testPostgres();
  const proxy = await startWsProxy();
  const name = `${prefix}${randomBytes(6).toString("hex")}`;
  const env = (database: string) => ({
    DATABASE_URL: `${server.baseUrl}/${database}`,
    DATABASE_WS_PROXY: proxy.address,
  });
  // The driver's proxy setting is global and the stack sets its own: every use here sets ours first
  // (a new handle, or configureDriver). Statistics are read from another database, so reading them
  // adds nothing to the count.
  const admin = async (query: string) => {
    const handle = createDb(env("postgres"));
    try {
      return await handle.db.execute(sql.raw(query));
    } finally {
      await handle.close();
    }
  };
  try {
    await admin(`create database "${name}"`);
    try {
      const work = await serverWork(env("postgres"), env(name));
      try {
        return await run({ url: env(name).DATABASE_URL, description: server.description, work });
      } finally {
        await work.close();
      }
    } finally {
      await admin(`drop database if exists "${name}" with (force)`);
    }
  } finally {
    await proxy.close();
    await server.close();
  }
}

async function serverWork(adminEnv: DbEnv, own: DbEnv): Promise<ServerWork> {
  const admin = createDb(adminEnv);
  const loaded = await admin.db.execute(
    sql`select count(*) as n from pg_available_extensions
        where name = 'pg_stat_statements'
          and 'pg_stat_statements' = any(string_to_array(replace(current_setting('shared_preload_libraries'), ' ', ''), ','))`,
  );
  if (countRow.parse(loaded.rows[0]).n > 0) {
    await admin.close();
    const handle = createDb(own);
    await handle.db.execute(sql`create extension if not exists pg_stat_statements`);
    return {
      unit: "statements",
      source: "pg_stat_statements (calls in the bench's database, not counting these reads)",
      count: async () => {
        configureDriver(own.DATABASE_WS_PROXY);
        const r = await handle.db.execute(
          sql`select coalesce(sum(calls), 0) as n from pg_stat_statements
              where dbid = (select oid from pg_database where datname = current_database())
                and query not like '%pg_stat_statements%'`,
        );
        return countRow.parse(r.rows[0]).n;
      },
      close: () => handle.close(),
    };
  }
  const database = new URL(own.DATABASE_URL).pathname.slice(1);
  return {
    unit: "transactions",
    source:
      "pg_stat_database xact_commit + xact_rollback of the bench's database (pg_stat_statements is not loaded on this server)",
    count: async () => {
      configureDriver(adminEnv.DATABASE_WS_PROXY);
      const r = await admin.db.execute(
        sql`select xact_commit + xact_rollback as n from pg_stat_database where datname = ${database}`,
      );
      return countRow.parse(r.rows[0]).n;
    },
    close: () => admin.close(),
  };
}
