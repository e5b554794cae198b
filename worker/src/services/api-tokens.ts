import type { ApiToken, NewApiToken } from "@cw/contracts";
import { hashApiToken, issueApiToken, schema } from "@cw/db";
import { and, desc, eq, isNull, lt, or } from "drizzle-orm";
import { notFound } from "../domain/problems.ts";
import { TtlCache } from "../domain/ttl-cache.ts";
import type { Caller, Deps } from "./deps.ts";

const tokens = schema.apiTokens;

const tokenView = (t: typeof tokens.$inferSelect): ApiToken => ({
  id: t.id,
  name: t.name,
  prefix: t.prefix,
  createdAt: t.createdAt.toISOString(),
  lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
});

const USE_RECORD_INTERVAL_MS = 60_000;

/**
 * Tokens this isolate verified in the last 30 s, so hot paths (heartbeats) need no database round
 * trip. A token deleted through this isolate is evicted at once; elsewhere it stops working within
 * the TTL. Per isolate, by design: nothing is shared across requests but this memo.
 */
export const AUTH_CACHE_TTL_MS = 30_000;
const verified = new TtlCache<Caller>(AUTH_CACHE_TTL_MS, 10_000);

/** The caller behind a bearer token, or null; `stale` says its lastUsedAt is worth refreshing. */
export async function authenticate(deps: Deps, token: string): Promise<(Caller & { stale: boolean }) | null> {
  const hash = await hashApiToken(token);
  const now = deps.now().getTime();
  const cached = verified.get(hash, now);
  if (cached) return { ...cached, stale: false };
  const [row] = await deps.db
    .select({
      id: tokens.id,
      organizationId: tokens.organizationId,
      userId: tokens.userId,
      lastUsedAt: tokens.lastUsedAt,
    })
    .from(tokens)
    .where(eq(tokens.tokenHash, hash));
  if (!row) return null;
  const caller = { organizationId: row.organizationId, userId: row.userId, tokenId: row.id };
  verified.set(hash, caller, now);
  const stale = !row.lastUsedAt || now - row.lastUsedAt.getTime() > USE_RECORD_INTERVAL_MS;
  return { ...caller, stale };
}

/** At most one write a minute per token, off the request's critical path. */
export async function recordTokenUse(deps: Deps, tokenId: string) {
  const now = deps.now();
  const aMinuteAgo = new Date(now.getTime() - USE_RECORD_INTERVAL_MS);
  await deps.db
    .update(tokens)
    .set({ lastUsedAt: now })
    .where(and(eq(tokens.id, tokenId), or(isNull(tokens.lastUsedAt), lt(tokens.lastUsedAt, aMinuteAgo))));
}

export async function createToken(deps: Deps, caller: Caller, name: string): Promise<NewApiToken> {
  const { token, row } = await issueApiToken(deps.db, {
    organizationId: caller.organizationId,
    userId: caller.userId,
    name,
  });
  return { ...tokenView(row), token };
}

export async function listTokens(deps: Deps, caller: Caller) {
  const rows = await deps.db
    .select()
    .from(tokens)
    .where(and(eq(tokens.organizationId, caller.organizationId), eq(tokens.userId, caller.userId)))
    .orderBy(desc(tokens.createdAt));
  return rows.map(tokenView);
}

export async function deleteToken(deps: Deps, caller: Caller, id: string) {
  const [row] = await deps.db
    .delete(tokens)
    .where(
      and(
        eq(tokens.id, id),
        eq(tokens.organizationId, caller.organizationId),
        eq(tokens.userId, caller.userId),
      ),
    )
    .returning({ id: tokens.id });
  if (!row) throw notFound("token");
  verified.deleteWhere((caller) => caller.tokenId === id);
}
