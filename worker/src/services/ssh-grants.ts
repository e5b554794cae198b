import { schema } from "@cw/db";
import { and, eq, isNull, lte } from "drizzle-orm";
import type { Deps } from "./deps.ts";

const grants = schema.sshGrants;

/**
 * Revokes grants at the provider and marks them revoked. A grant whose revocation fails stays
 * live and is retried by the next scheduled run; one failure does not stop the others.
 */
async function revokeRows(deps: Deps, rows: (typeof grants.$inferSelect)[]) {
  let failed = 0;
  for (const grant of rows) {
    try {
      await deps.providers(grant.providerType).revokeSsh({
        identityId: grant.providerIdentityId,
        tokenId: grant.providerTokenId,
      });
      await deps.db.update(grants).set({ revokedAt: deps.now() }).where(eq(grants.id, grant.id));
    } catch {
      failed++;
    }
  }
  return { revoked: rows.length - failed, failed };
}

export async function revokeWorkspaceGrants(deps: Deps, workspaceId: string) {
  const rows = await deps.db
    .select()
    .from(grants)
    .where(and(eq(grants.workspaceId, workspaceId), isNull(grants.revokedAt)));
  return revokeRows(deps, rows);
}

export async function revokeExpiredGrants(deps: Deps, limit = 100) {
  const rows = await deps.db
    .select()
    .from(grants)
    .where(and(isNull(grants.revokedAt), lte(grants.expiresAt, deps.now())))
    .limit(limit);
  return revokeRows(deps, rows);
}
