import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createApiClient } from "@cw/contracts/client";
import { createDb, schema } from "@cw/db";
import { useNodeWebSocket } from "@cw/db/node";
import { eq } from "drizzle-orm";
import { type StackOptions, startStack } from "../stack.ts";

/**
 * A throw-away local stack for one benchmark (DATABASE_URL when set, else PGlite), with the seeded
 * organization's ids at hand. Quiet, except for errors the worker reports.
 */
export async function withBenchStack<T>(
  opts: StackOptions,
  run: (ctx: Awaited<ReturnType<typeof benchContext>>) => Promise<T>,
): Promise<T> {
  const dataDir = mkdtempSync(join(tmpdir(), "cw-bench-"));
  const stack = await startStack({
    dataDir,
    databaseUrl: process.env.DATABASE_URL || undefined,
    cronEveryMs: 3_600_000,
    log: (c) => (l) =>
      /error/i.test(l) && !/Request\.cf|getaddrinfo/i.test(l) ? console.error(`[${c}] ${l}`) : undefined,
    ...opts,
  });
  try {
    return await run(await benchContext(stack));
  } finally {
    await stack.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function benchContext(stack: Awaited<ReturnType<typeof startStack>>) {
  useNodeWebSocket();
  const db = createDb(stack.db);
  const [token] = await db.db.select().from(schema.apiTokens).limit(1);
  const [repo] = await db.db
    .select()
    .from(schema.repositories)
    .where(eq(schema.repositories.organizationId, token!.organizationId));
  const api = createApiClient({ baseUrl: stack.workerUrl, token: stack.token });
  return {
    stack,
    db,
    organizationId: token!.organizationId,
    userId: token!.userId,
    repositoryId: repo!.id,
    cloneUrl: repo!.cloneUrl,
    api,
  };
}
