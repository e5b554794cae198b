import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDb } from "@cw/db";
import { startWsProxy, useNodeWebSocket } from "@cw/db/node";
import { sql } from "drizzle-orm";
import { expect, it } from "vitest";
import { startEmbeddedPostgres } from "../src/stack/embedded-postgres.ts";
import { freePort } from "../src/stack/ports.ts";

it("embedded PGlite behind the proxy: per-request pools leave no connection behind, data persists", async () => {
  useNodeWebSocket();
  const dir = mkdtempSync(join(tmpdir(), "cw-pglite-"));
  const port = await freePort();
  let pg = await startEmbeddedPostgres(dir, port, () => {});
  const proxy = await startWsProxy();
  try {
    const env = { DATABASE_URL: pg.url, DATABASE_WS_PROXY: proxy.address };
    for (let i = 0; i < 80; i++) {
      const handle = createDb(env);
      await handle.db.execute(sql`select ${i}::int as n`);
      await handle.close();
    }
    await expect.poll(() => pg.connections(), { timeout: 2000 }).toBe(0);

    const handle = createDb(env);
    await handle.db.execute(sql`create table kept (v text)`);
    await handle.db.execute(sql`insert into kept values ('still here')`);
    await handle.close();
    await pg.close();
    pg = await startEmbeddedPostgres(dir, port, () => {});
    const again = createDb(env);
    const { rows } = await again.db.execute<{ v: string }>(sql`select v from kept`);
    await again.close();
    expect(rows).toEqual([{ v: "still here" }]);
  } finally {
    await proxy.close();
    await pg.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
