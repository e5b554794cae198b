import type { ApiToken, CreateToken, NewApiToken } from "@cw/contracts";
import { hashApiToken, issueApiToken, schema } from "@cw/db";
import { and, count, desc, eq, gt, isNull, lt, or } from "drizzle-orm";
import type { z } from "zod";
import { userActor } from "../domain/events.ts";
import { notFound, validationProblem } from "../domain/problems.ts";
import { tokenExpiry } from "../domain/token-expiry.ts";
import { TtlCache } from "../domain/ttl-cache.ts";
import { CoalescedLookups } from "./coalesced-lookups.ts";
import { type Caller, type Deps, notifyChange } from "./deps.ts";
import { recordEvents } from "./event-log.ts";
import { withinOrganizationLimit } from "./organization-limits.ts";

const tokens = schema.apiTokens;

const tokenView = (t: typeof tokens.$inferSelect): ApiToken => ({
  id: t.id,
  name: t.name,
  prefix: t.prefix,
  createdAt: t.createdAt.toISOString(),
  lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
  expiresAt: t.expiresAt?.toISOString() ?? null,
});

const USE_RECORD_INTERVAL_MS = 60_000;

/**
 * Tokens this isolate verified in the last 30 s, so hot paths (heartbeats) need no database round
 * trip. A token deleted through this isolate is evicted at once; elsewhere it stops working within
 * the TTL. An expired token is refused on the spot, cached or not. Per isolate, by design: nothing
 * is shared across requests but this memo.
 */
export const AUTH_CACHE_TTL_MS = 30_000;
const verified = new TtlCache<Caller>(AUTH_CACHE_TTL_MS, 10_000);
/**
 * One lookup per token at a time: when the entry expires just as every desktop of an organization
 * asks again (after a sync fan-out, in the same few milliseconds), one request reads the token and
 * the others wait for its answer, instead of each taking a database connection for the same row.
 */
const lookups = new CoalescedLookups(2_000, 5);

/** The caller behind a bearer token, or null; `stale` says its lastUsedAt is worth refreshing. */
export async function authenticate(deps: Deps, token: string): Promise<(Caller & { stale: boolean }) | null> {
  const hash = await hashApiToken(token);
  const now = deps.now().getTime();
  const isLive = (c: Caller) => c.tokenExpiresAt === null || c.tokenExpiresAt.getTime() > now;
  const cached = () => {
    const hit = verified.get(hash, deps.now().getTime());
    return hit && { ...hit, stale: false };
  };
  const caller = await lookups.get(hash, cached, async () => {
    const [row] = await deps.db
      .select({
        id: tokens.id,
        organizationId: tokens.organizationId,
        userId: tokens.userId,
        lastUsedAt: tokens.lastUsedAt,
        expiresAt: tokens.expiresAt,
      })
      .from(tokens)
      .where(eq(tokens.tokenHash, hash));
    if (!row) return null;
    const found: Caller = {
      organizationId: row.organizationId,
      userId: row.userId,
      tokenId: row.id,
      tokenExpiresAt: row.expiresAt,
    };
    if (!isLive(found)) return null;
    verified.set(hash, found, now);
    const stale = !row.lastUsedAt || now - row.lastUsedAt.getTime() > USE_RECORD_INTERVAL_MS;
    return { ...found, stale };
  });
  return caller && isLive(caller) ? caller : null;
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

/**
 * A new token of the caller's. Its expiry is at most the deployment's maximum and never later than
 * the token making the request (a leaked short-lived token cannot mint a long-lived one); the
 * organization's token count is capped.
 */
export async function createToken(
  deps: Deps,
  caller: Caller,
  input: z.output<typeof CreateToken>,
): Promise<NewApiToken> {
  const now = deps.now();
  const expiry = tokenExpiry({
    requested: input.expiresAt ? new Date(input.expiresAt) : null,
    now,
    maxLifetimeDays: deps.config.TOKEN_MAX_LIFETIME_DAYS ?? null,
    parentExpiresAt: caller.tokenExpiresAt,
  });
  if (!expiry.ok) throw validationProblem([{ field: "body.expiresAt", message: expiry.message }], 422);
  const live = and(
    eq(tokens.organizationId, caller.organizationId),
    or(isNull(tokens.expiresAt), gt(tokens.expiresAt, now)),
  );
  const { token, row } = await withinOrganizationLimit(
    deps.db,
    caller.organizationId,
    {
      name: "MAX_TOKENS_PER_ORGANIZATION",
      max: deps.config.MAX_TOKENS_PER_ORGANIZATION,
      noun: "live API tokens",
      status: 422,
    },
    async (tx) => (await tx.select({ n: count() }).from(tokens).where(live))[0]!.n,
    async (tx) => {
      const issued = await issueApiToken(tx, {
        organizationId: caller.organizationId,
        userId: caller.userId,
        name: input.name,
        expiresAt: expiry.expiresAt,
      });
      await recordEvents(tx, caller.organizationId, userActor(caller), [
        {
          type: "token.created",
          workspaceId: null,
          data: {
            tokenId: issued.row.id,
            name: issued.row.name,
            expiresAt: issued.row.expiresAt?.toISOString() ?? null,
          },
        },
      ]);
      return issued;
    },
  );
  await notifyChange(deps, caller.organizationId);
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
  const row = await deps.db.transaction(async (tx) => {
    const [gone] = await tx
      .delete(tokens)
      .where(
        and(
          eq(tokens.id, id),
          eq(tokens.organizationId, caller.organizationId),
          eq(tokens.userId, caller.userId),
        ),
      )
      .returning({ id: tokens.id, name: tokens.name });
    if (gone)
      await recordEvents(tx, caller.organizationId, userActor(caller), [
        { type: "token.deleted", workspaceId: null, data: { tokenId: gone.id, name: gone.name } },
      ]);
    return gone;
  });
  if (!row) throw notFound("token");
  verified.deleteWhere((caller) => caller.tokenId === id);
  await notifyChange(deps, caller.organizationId);
}
