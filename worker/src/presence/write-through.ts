import { createDb, schema } from "@cw/db";
import { and, eq, notInArray, sql } from "drizzle-orm";
import { parseConfig } from "../config.ts";
import {
  type PresenceState,
  presenceEvents,
  presenceUserIds,
  presenceView,
} from "../domain/presence-mirror.ts";
import { presenceOf } from "../domain/workspace-view.ts";
import { hubDirectory, notifyHub } from "../hub/directory.ts";
import { recordEvents } from "../services/event-log.ts";
import { userNames } from "../services/user-names.ts";

const ws = schema.cloudWorkspaces;

/**
 * Mirrors one workspace's presence into Postgres in one transaction, so readers never see half of
 * it: its session rows, the connected count, the last activity (never moved backwards), the row's
 * `presence` (names included; the synced row, the API's `activity` and the auto_stop_at trigger
 * read it), and the events since the row was last written — diffed against its `presence`, read
 * `for update` so two writes of one workspace never record one change twice. Then tells the
 * organization's hub. Returns false when the workspace no longer exists.
 */
export async function writeThrough(
  env: Env,
  workspaceId: string,
  state: PresenceState & { lastActiveAt: number },
): Promise<boolean> {
  const config = parseConfig(env);
  const handle = createDb(config);
  const table = schema.cloudWorkspaceSessions;
  let organizationId: string | null;
  try {
    organizationId = await handle.db.transaction(async (tx) => {
      const [row] = await tx
        .select({ organizationId: ws.organizationId, presence: ws.presence })
        .from(ws)
        .where(eq(ws.id, workspaceId))
        .for("update");
      if (!row) return null; // deleted meanwhile; its session rows went with it
      const presence = presenceView(state, await userNames(tx, presenceUserIds(state)));
      await tx
        .update(ws)
        .set({
          connectedCount: state.sessions.length,
          lastActiveAt: sql`greatest(${ws.lastActiveAt}, ${new Date(state.lastActiveAt)})`,
          presence,
        })
        .where(eq(ws.id, workspaceId));
      for (const { actor, events } of presenceEvents(workspaceId, presenceOf(row), state))
        await recordEvents(tx, row.organizationId, actor, events);
      const ids = state.sessions.map((s) => s.id);
      await tx
        .delete(table)
        .where(
          ids.length
            ? and(eq(table.workspaceId, workspaceId), notInArray(table.id, ids))
            : eq(table.workspaceId, workspaceId),
        );
      if (state.sessions.length > 0)
        await tx
          .insert(table)
          .values(
            state.sessions.map((s) => ({
              id: s.id,
              workspaceId,
              userId: s.userId,
              clientType: s.clientType,
              connectedAt: new Date(s.connectedAt),
              lastHeartbeatAt: new Date(s.lastHeartbeatAt),
            })),
          )
          .onConflictDoUpdate({
            target: table.id,
            set: { lastHeartbeatAt: sql`excluded.last_heartbeat_at` },
          });
      return row.organizationId;
    });
  } finally {
    await handle.close();
  }
  if (organizationId) await notifyHub(hubDirectory(env), config, organizationId);
  return organizationId !== null;
}
