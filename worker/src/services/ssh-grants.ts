import { schema } from "@cw/db";
import { and, asc, eq, gt, isNull, lte, type SQL, sql } from "drizzle-orm";
import type { Deps } from "./deps.ts";

const grants = schema.sshGrants;
export type Grant = typeof grants.$inferSelect;

/**
 * Revokes one grant at the provider and marks it revoked. A grant whose provider call fails
 * stays unrevoked with its expiry already passed, so the next scheduled run retries it (the
 * grants job, jobs/grants.ts).
 */
export async function revokeGrantRow(deps: Deps, grant: Grant) {
  await deps.providers(grant.providerType).revokeSsh({
    identityId: grant.providerIdentityId,
    tokenId: grant.providerTokenId,
  });
  await deps.db.update(grants).set({ revokedAt: deps.now() }).where(eq(grants.id, grant.id));
}

/** Revokes grants one after another; one failure does not stop the others. */
async function revokeRows(deps: Deps, rows: Grant[]) {
  let failed = 0;
  for (const grant of rows) {
    try {
      await revokeGrantRow(deps, grant);
    } catch {
      failed++;
    }
  }
  return { revoked: rows.length - failed, failed };
}

/**
 * Ends the life of the unrevoked grants `which` selects: their expiry moves to now (in one
 * statement, before the provider is asked), so whatever happens at the provider they are due for
 * revocation from then on; then revokes them.
 */
async function endGrants(deps: Deps, which: SQL | undefined) {
  const now = deps.now();
  const rows = await deps.db
    .update(grants)
    .set({ expiresAt: sql`least(${grants.expiresAt}, ${now})` })
    .where(and(which, isNull(grants.revokedAt)))
    .returning();
  return revokeRows(deps, rows);
}

/** Every grant of the workspace's VM: on stop, pause and delete. */
export const revokeWorkspaceGrants = (deps: Deps, workspaceId: string) =>
  endGrants(deps, eq(grants.workspaceId, workspaceId));

export const revokeGrant = (deps: Deps, grantId: string) => endGrants(deps, eq(grants.id, grantId));

/**
 * Expired grants, and grants whose revocation failed before (their expiry was moved to the moment
 * it was tried), earliest expiry first: what the grants job revokes.
 */
export const dueGrants = (deps: Deps, limit: number) =>
  deps.db
    .select()
    .from(grants)
    .where(and(isNull(grants.revokedAt), lte(grants.expiresAt, deps.now())))
    .orderBy(asc(grants.expiresAt), asc(grants.id))
    .limit(limit);

/** The organization's grants still live at `now`, which its limit counts. */
export const liveGrantsOf = (organizationId: string, now: Date) =>
  and(eq(grants.organizationId, organizationId), isNull(grants.revokedAt), gt(grants.expiresAt, now));
