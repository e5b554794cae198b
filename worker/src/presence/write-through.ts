import { createDb, schema } from "@cw/db";
import { and, eq, notInArray, sql } from "drizzle-orm";
import { parseConfig } from "../config.ts";
import type { PresenceSession } from "../domain/presence.ts";

/**
 * Mirrors one workspace's live sessions into Postgres: its session rows, the connected count and
 * last activity (never moved backwards). One transaction, so readers never see half of it.
 */
export async function writeThrough(
  env: Env,
  workspaceId: string,
  sessions: PresenceSession[],
  lastActiveAt: number,
) {
  const handle = createDb(parseConfig(env));
  const table = schema.cloudWorkspaceSessions;
  try {
    await handle.db.transaction(async (tx) => {
      const [ws] = await tx
        .update(schema.cloudWorkspaces)
        .set({
          connectedCount: sessions.length,
          lastActiveAt: sql`greatest(${schema.cloudWorkspaces.lastActiveAt}, ${new Date(lastActiveAt)})`,
        })
        .where(eq(schema.cloudWorkspaces.id, workspaceId))
        .returning({ id: schema.cloudWorkspaces.id });
      if (!ws) return; // deleted meanwhile; its session rows went with it
      const ids = sessions.map((s) => s.id);
      await tx
        .delete(table)
        .where(
          ids.length
            ? and(eq(table.workspaceId, workspaceId), notInArray(table.id, ids))
            : eq(table.workspaceId, workspaceId),
        );
      if (sessions.length === 0) return;
      await tx
        .insert(table)
        .values(
          sessions.map((s) => ({
            id: s.id,
            workspaceId,
            userId: s.userId,
            clientType: s.clientType,
            connectedAt: new Date(s.connectedAt),
            lastHeartbeatAt: new Date(s.lastHeartbeatAt),
          })),
        )
        .onConflictDoUpdate({ target: table.id, set: { lastHeartbeatAt: sql`excluded.last_heartbeat_at` } });
    });
  } finally {
    await handle.close();
  }
}
