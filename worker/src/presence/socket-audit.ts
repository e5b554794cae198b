import { createDb, schema } from "@cw/db";
import { and, eq, gt, inArray, isNull, or } from "drizzle-orm";
import { parseConfig } from "../config.ts";

/**
 * What a presence object's open sockets still stand on, read from Postgres: whether the workspace
 * exists, and which of the API tokens the sockets were opened with are neither deleted nor expired.
 */
export async function auditSockets(env: Env, workspaceId: string, tokenIds: string[], now: Date) {
  const handle = createDb(parseConfig(env));
  const tokens = schema.apiTokens;
  try {
    const [workspace] = await handle.db
      .select({ id: schema.cloudWorkspaces.id })
      .from(schema.cloudWorkspaces)
      .where(eq(schema.cloudWorkspaces.id, workspaceId));
    const live =
      tokenIds.length === 0
        ? []
        : await handle.db
            .select({ id: tokens.id })
            .from(tokens)
            .where(
              and(inArray(tokens.id, tokenIds), or(isNull(tokens.expiresAt), gt(tokens.expiresAt, now))),
            );
    return { workspaceExists: workspace !== undefined, liveTokenIds: new Set(live.map((t) => t.id)) };
  } finally {
    await handle.close();
  }
}
