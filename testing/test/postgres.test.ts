import { createServer } from "node:net";
import { createDb } from "@cw/db";
import { startWsProxy, useNodeWebSocket } from "@cw/db/node";
import { freePort } from "@cw/local/stack/ports";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { postgresAnswers, testPostgres } from "../src/postgres.ts";

describe("the tests' PostgreSQL", () => {
  it("is an embedded server when nothing answers at TEST_PG_HOST, or something that is not PostgreSQL", async () => {
    const notPostgres = createServer((socket) => socket.end("HTTP/1.1 400 Bad Request\r\n\r\n"));
    await new Promise<void>((resolve) => notPostgres.listen(0, "127.0.0.1", resolve));
    const port = (notPostgres.address() as { port: number }).port;
    useNodeWebSocket();
    const proxy = await startWsProxy();
    try {
      for (const host of [`127.0.0.1:${await freePort()}`, `127.0.0.1:${port}`]) {
        expect(await postgresAnswers("127.0.0.1", Number(host.split(":")[1]))).toBe(false);
        const pg = await testPostgres({ TEST_PG_HOST: host });
        try {
          expect(pg.description).toMatch(/^embedded PostgreSQL/);
          const handle = createDb({
            DATABASE_URL: `${pg.baseUrl}/postgres`,
            DATABASE_WS_PROXY: proxy.address,
          });
          await handle.db.execute(sql.raw("create database made_here"));
          const { rows } = await handle.db.execute(
            sql`select current_setting('server_version_num')::int as v`,
          );
          await handle.close();
          expect(rows[0]!.v).toBeGreaterThanOrEqual(180000);
        } finally {
          await pg.close();
        }
      }
    } finally {
      await proxy.close();
      notPostgres.close();
    }
  });
});
