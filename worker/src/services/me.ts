import type { Me } from "@cw/contracts";
import { schema } from "@cw/db";
import { and, eq } from "drizzle-orm";
import { unauthorized } from "../domain/problems.ts";
import type { Caller, Deps } from "./deps.ts";

const { apiTokens, memberships, organizations, users } = schema;

/** Who the caller's token speaks for: one read joining the token, its user, organization and role. */
export async function whoAmI(deps: Deps, caller: Caller): Promise<Me> {
  const [row] = await deps.db
    .select({
      userId: users.id,
      userName: users.name,
      email: users.email,
      organizationId: organizations.id,
      organizationName: organizations.name,
      role: memberships.role,
      tokenId: apiTokens.id,
      tokenName: apiTokens.name,
      prefix: apiTokens.prefix,
      expiresAt: apiTokens.expiresAt,
    })
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .innerJoin(organizations, eq(organizations.id, apiTokens.organizationId))
    .innerJoin(
      memberships,
      and(eq(memberships.organizationId, apiTokens.organizationId), eq(memberships.userId, apiTokens.userId)),
    )
    .where(eq(apiTokens.id, caller.tokenId));
  // The token was deleted (or its membership ended) since the isolate last verified it.
  if (!row) throw unauthorized("unknown, expired or revoked token");
  return {
    user: { id: row.userId, name: row.userName, email: row.email },
    organization: { id: row.organizationId, name: row.organizationName, role: row.role },
    token: {
      id: row.tokenId,
      name: row.tokenName,
      prefix: row.prefix,
      expiresAt: row.expiresAt?.toISOString() ?? null,
    },
  };
}
