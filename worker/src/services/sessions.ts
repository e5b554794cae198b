import { schema } from "@cw/db";
import type { ClientType } from "@cw/db/schema";
import { and, asc, eq } from "drizzle-orm";
import { notFound } from "../domain/problems.ts";
import type { Caller, Deps } from "./deps.ts";
import { findWorkspace } from "./workspace-rows.ts";

const sessions = schema.cloudWorkspaceSessions;
export const HEARTBEAT_SECONDS = 30;

const sessionView = (s: typeof sessions.$inferSelect) => ({
  id: s.id,
  userId: s.userId,
  clientType: s.clientType,
  connectedAt: s.connectedAt.toISOString(),
  lastHeartbeatAt: s.lastHeartbeatAt.toISOString(),
});

async function requireWorkspace(deps: Deps, caller: Caller, workspaceId: string) {
  const row = await findWorkspace(deps, caller.organizationId, workspaceId);
  if (!row) throw notFound("workspace");
  return row;
}

/** Marks the workspace active now: joins and heartbeats are what keeps auto-stop away. */
async function touchWorkspace(deps: Deps, workspaceId: string) {
  await deps.db
    .update(schema.cloudWorkspaces)
    .set({ lastActiveAt: deps.now() })
    .where(eq(schema.cloudWorkspaces.id, workspaceId));
}

export async function joinSession(deps: Deps, caller: Caller, workspaceId: string, clientType: ClientType) {
  await requireWorkspace(deps, caller, workspaceId);
  const now = deps.now();
  const [row] = await deps.db
    .insert(sessions)
    .values({ workspaceId, userId: caller.userId, clientType, connectedAt: now, lastHeartbeatAt: now })
    .returning();
  await touchWorkspace(deps, workspaceId);
  return { sessionId: row!.id, heartbeatSeconds: HEARTBEAT_SECONDS };
}

export async function heartbeatSession(deps: Deps, caller: Caller, workspaceId: string, sessionId: string) {
  await requireWorkspace(deps, caller, workspaceId);
  const [row] = await deps.db
    .update(sessions)
    .set({ lastHeartbeatAt: deps.now() })
    .where(
      and(
        eq(sessions.id, sessionId),
        eq(sessions.workspaceId, workspaceId),
        eq(sessions.userId, caller.userId),
      ),
    )
    .returning({ id: sessions.id });
  if (!row) throw notFound("session");
  await touchWorkspace(deps, workspaceId);
}

export async function leaveSession(deps: Deps, caller: Caller, workspaceId: string, sessionId: string) {
  await requireWorkspace(deps, caller, workspaceId);
  const [row] = await deps.db
    .delete(sessions)
    .where(
      and(
        eq(sessions.id, sessionId),
        eq(sessions.workspaceId, workspaceId),
        eq(sessions.userId, caller.userId),
      ),
    )
    .returning({ id: sessions.id });
  if (!row) throw notFound("session");
}

export async function listSessions(deps: Deps, caller: Caller, workspaceId: string) {
  await requireWorkspace(deps, caller, workspaceId);
  const rows = await deps.db
    .select()
    .from(sessions)
    .where(eq(sessions.workspaceId, workspaceId))
    .orderBy(asc(sessions.connectedAt));
  return rows.map(sessionView);
}
