import { createApiClient } from "@cw/contracts/client";
import { createDb, schema } from "@cw/db";
import { useNodeWebSocket } from "@cw/db/node";
import type { StackOptions } from "@cw/local/stack";
import { startTestStack, type TestStack } from "@cw/testing/node";
import { eq } from "drizzle-orm";

/** Benchmarks print only errors the stack reports (not the expected noise of a laptop run). */
export const errorsOnly: StackOptions["log"] = (c) => (l) =>
  /error/i.test(l) && !/Request\.cf|getaddrinfo/i.test(l) ? console.error(`[${c}] ${l}`) : undefined;

/**
 * A throw-away local stack for one benchmark (DATABASE_URL when set, else an embedded PostgreSQL),
 * with the seeded organization's ids at hand.
 */
export async function withBenchStack<T>(
  opts: StackOptions,
  run: (ctx: Awaited<ReturnType<typeof benchContext>>) => Promise<T>,
): Promise<T> {
  const stack = await startTestStack("cw-bench-", {
    databaseUrl: process.env.DATABASE_URL || undefined,
    log: errorsOnly,
    ...opts,
  });
  try {
    return await run(await benchContext(stack));
  } finally {
    await stack.stop();
  }
}

/** How a benchmark names the database it ran on. */
export const databaseName = (stack: TestStack) =>
  stack.db.embedded ? "embedded PostgreSQL" : "DATABASE_URL";

async function benchContext(stack: TestStack) {
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
