import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDb, type DbHandle } from "@cw/db";
import { startWsProxy, useNodeWebSocket, type WsProxy } from "@cw/db/node";
import { waitFor } from "@cw/testing";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import {
  type EmbeddedPostgres,
  embeddedPostgresPackage,
  reachableBinaries,
  startEmbeddedPostgres,
} from "../src/stack/embedded-postgres.ts";
import { freePort } from "../src/stack/ports.ts";

/**
 * The embedded PostgreSQL as the stack uses it: behind the WebSocket proxy, through the Neon driver.
 * (Round 1's PGlite shared one session among all clients: one client's `SET search_path` broke
 * everyone's queries, and one client idle in `BEGIN` froze the stack.)
 */
let parent: string;
let proxy: WsProxy;
const servers: EmbeddedPostgres[] = [];

beforeAll(async () => {
  useNodeWebSocket();
  parent = mkdtempSync(join(tmpdir(), "cw-embedded-pg-"));
  chmodSync(parent, 0o755); // as root, the server runs as the postgres user
  proxy = await startWsProxy();
});

afterAll(async () => {
  for (const server of servers) await server.close();
  await proxy?.close();
  rmSync(parent, { recursive: true, force: true });
});

async function server(name: string, opts: { idleInTransactionTimeoutMs?: number; port?: number } = {}) {
  const started = await startEmbeddedPostgres({
    dir: join(parent, name),
    port: opts.port ?? (await freePort()),
    log: () => {},
    idleInTransactionTimeoutMs: opts.idleInTransactionTimeoutMs,
  });
  servers.push(started);
  return started;
}

const connect = (pg: EmbeddedPostgres): DbHandle =>
  createDb({ DATABASE_URL: pg.url, DATABASE_WS_PROXY: proxy.address });

async function query<T>(handle: DbHandle, statement: ReturnType<typeof sql>) {
  return (await handle.db.execute<T & Record<string, unknown>>(statement)).rows;
}

describe("embedded PostgreSQL", () => {
  it("asks for its password, keeps data and password across a restart, and closed pools leave no session", async () => {
    const port = await freePort();
    const first = await server("restart", { port });
    const setup = connect(first);
    await setup.db.execute(sql`create table kept (v text)`);
    await setup.db.execute(sql`insert into kept values ('still here')`);
    await setup.close();
    for (let i = 0; i < 40; i++) {
      const handle = connect(first);
      await handle.db.execute(sql`select ${i}::int as n`);
      await handle.close();
    }
    const watcher = connect(first);
    const others = async () =>
      (
        await query<{ n: number }>(
          watcher,
          sql`select count(*)::int as n from pg_stat_activity
              where backend_type = 'client backend' and pid <> pg_backend_pid()`,
        )
      )[0]!.n;
    await waitFor("closed pools' sessions to end", async () => (await others()) === 0);
    await watcher.close();
    await first.close();

    const again = await server("restart", { port });
    expect(again.url).toBe(first.url);
    const intruder = createDb({
      DATABASE_URL: again.url.replace(/:[^:@]+@/, ":guess@"),
      DATABASE_WS_PROXY: proxy.address,
    });
    await expect(intruder.db.execute(sql`select 1`)).rejects.toMatchObject({
      cause: expect.objectContaining({ message: expect.stringMatching(/password authentication failed/) }),
    });
    await intruder.close();
    const handle = connect(again);
    expect(await query(handle, sql`select v from kept`)).toEqual([{ v: "still here" }]);
    expect(await query(handle, sql`show idle_in_transaction_session_timeout`)).toEqual([
      { idle_in_transaction_session_timeout: "1min" },
    ]);
    await handle.close();
  });

  it("gives each client its own session: settings, transactions and results never cross", async () => {
    const pg = await server("sessions");
    const setup = connect(pg);
    await setup.db.execute(sql`create table counter (n int)`);
    await setup.close();

    // One client breaks its own search_path and sits inside an open transaction…
    const odd = connect(pg);
    const oddClient = await odd.db.$client.connect();
    await oddClient.query("set search_path to nowhere");
    await oddClient.query("begin");
    await oddClient.query("select 1");

    // …while eight others run statements and transactions side by side.
    const client = async (c: number) => {
      const handle = connect(pg);
      const wrong: string[] = [];
      try {
        for (let i = 0; i < 25; i++) {
          const want = c * 1000 + i;
          const rows = await query<{ v: number; s: string }>(
            handle,
            sql`select ${want}::int as v, ${`c${c}`}::text as s`,
          );
          if (rows[0]?.v !== want || rows[0]?.s !== `c${c}`) wrong.push(`${want}→${JSON.stringify(rows)}`);
          await handle.db.transaction(async (tx) => {
            await tx.execute(sql`insert into counter values (${want})`);
            await tx.execute(sql`select * from counter where n = ${want}`);
          });
        }
      } finally {
        await handle.close();
      }
      return wrong;
    };
    const results = await Promise.all(Array.from({ length: 8 }, (_, c) => client(c)));
    expect(results.flat()).toEqual([]);

    const check = connect(pg);
    expect(await query(check, sql`select count(*)::int as n from counter`)).toEqual([{ n: 8 * 25 }]);
    expect(await query(check, sql`show search_path`)).toEqual([{ search_path: '"$user", public' }]);
    await check.close();
    await oddClient.query("rollback");
    oddClient.release();
    await odd.close();
  });

  it("ends a session left idle inside a transaction after the timeout", async () => {
    const pg = await server("idle", { idleInTransactionTimeoutMs: 300 });
    const handle = connect(pg);
    const stuck = await handle.db.$client.connect();
    const ended = new Promise<Error>((resolve) => stuck.once("error", resolve));
    await stuck.query("begin");
    await stuck.query("select 1");
    expect((await ended).message).toMatch(/idle-in-transaction timeout/);
    stuck.release(true);
    // The server itself is fine: the next client gets a session at once.
    expect(await query(handle, sql`select 1 as ok`)).toEqual([{ ok: 1 }]);
    await handle.close();
  });
});

describe("the server's binaries", () => {
  it("come from a platform package declared for Linux, macOS and Windows, its install script allowed", () => {
    const local = z
      .object({ optionalDependencies: z.record(z.string(), z.string()) })
      .parse(JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")));
    const workspace = readFileSync(new URL("../../pnpm-workspace.yaml", import.meta.url), "utf8");
    const platforms = [
      ["linux", "x64"],
      ["linux", "arm64"],
      ["darwin", "x64"],
      ["darwin", "arm64"],
      ["win32", "x64"],
    ] as const;
    const packages = platforms.map(([platform, arch]) => embeddedPostgresPackage(platform, arch));
    expect(packages).toContain("@embedded-postgres/windows-x64");
    expect(Object.keys(local.optionalDependencies).sort()).toEqual([...packages].sort());
    for (const pkg of packages) expect(workspace).toContain(`"${pkg}": true`);
  });

  it("as root, runs a root-owned copy when the postgres user cannot reach the checkout's", () => {
    const root = process.getuid?.() === 0;
    const hidden = mkdtempSync(join(tmpdir(), "cw-hidden-checkout-")); // 0700: only its owner enters
    const version = `test-${process.pid}-${Date.now()}`;
    const cache = join(tmpdir(), `cw-embedded-postgres-${version}-${process.platform}-${process.arch}`);
    try {
      mkdirSync(join(hidden, "native", "bin"), { recursive: true });
      writeFileSync(join(hidden, "package.json"), JSON.stringify({ version }));
      for (const name of ["initdb", "postgres"])
        writeFileSync(join(hidden, "native", "bin", name), "#!/bin/sh\necho ran\n", { mode: 0o755 });
      const bins = {
        initdb: join(hidden, "native", "bin", "initdb"),
        postgres: join(hidden, "native", "bin", "postgres"),
      };
      const user = root
        ? {
            uid: Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" })),
            gid: Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" })),
          }
        : undefined;
      const usable = reachableBinaries(bins, user);
      if (!root) {
        expect(usable).toEqual(bins); // the server runs as this user, who can reach them
        return;
      }
      expect(usable.postgres).toBe(join(cache, "bin", "postgres"));
      const ran = spawnSync(usable.postgres, [], { ...user, encoding: "utf8" });
      expect(ran.stdout).toBe("ran\n");
      expect(statSync(cache).uid).toBe(0);
      // A second start reuses the copy.
      expect(reachableBinaries(bins, user)).toEqual(usable);
    } finally {
      rmSync(hidden, { recursive: true, force: true });
      rmSync(cache, { recursive: true, force: true });
    }
  });
});
