import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDb } from "@cw/db";
import { startWsProxy, useNodeWebSocket } from "@cw/db/node";
import { sql } from "drizzle-orm";
import { expect, it } from "vitest";
import { startEmbeddedPostgres } from "../src/stack/embedded-postgres.ts";
import { freePort } from "../src/stack/ports.ts";

it("embedded PGlite answers each of many concurrent connections with its own results", async () => {
  useNodeWebSocket();
  const dir = mkdtempSync(join(tmpdir(), "cw-pglite-c-"));
  const pg = await startEmbeddedPostgres(dir, await freePort(), () => {});
  const proxy = await startWsProxy();
  try {
    const env = { DATABASE_URL: pg.url, DATABASE_WS_PROXY: proxy.address };
    const setup = createDb(env);
    await setup.db.execute(sql`create table counter (n int)`);
    await setup.close();
    const client = async (c: number) => {
      const handle = createDb(env);
      const wrong: string[] = [];
      try {
        for (let i = 0; i < 40; i++) {
          const want = c * 1000 + i;
          const { rows } = await handle.db.execute<{ v: number; s: string }>(
            sql`select ${want}::int as v, ${`c${c}`}::text as s`,
          );
          if (rows[0]?.v !== want || rows[0]?.s !== `c${c}`) wrong.push(`${want}→${JSON.stringify(rows)}`);
          // A transaction per client must stay isolated from the others' statements.
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
    const check = createDb(env);
    const { rows } = await check.db.execute<{ count: string }>(
      sql`select count(*)::text as count from counter`,
    );
    await check.close();
    expect(rows[0]!.count).toBe(String(8 * 40));
  } finally {
    await proxy.close();
    await pg.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
