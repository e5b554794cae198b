import { schema } from "@cw/db";
import { and, eq, inArray, isNull, lt, or, type SQL, sql } from "drizzle-orm";
import type { WorkspaceAction } from "../domain/state-machine.ts";
import { statusesAllowing } from "../domain/state-machine.ts";
import type { Deps } from "./deps.ts";

const ws = schema.cloudWorkspaces;
export type WorkspaceRow = typeof ws.$inferSelect;

export async function findWorkspace(deps: Deps, organizationId: string, id: string) {
  const [row] = await deps.db
    .select()
    .from(ws)
    .where(and(eq(ws.id, id), eq(ws.organizationId, organizationId)));
  return row ?? null;
}

export async function findWorkspaceById(deps: Deps, id: string) {
  const [row] = await deps.db.select().from(ws).where(eq(ws.id, id));
  return row ?? null;
}

/** How long an operation lock may be held before it is presumed abandoned. */
export function lockStaleAfterMs(deps: Deps): number {
  return deps.config.PROVIDER_CREATE_TIMEOUT_MS * 2;
}

/**
 * Takes the workspace's operation lock for `action` in one conditional update: it succeeds only
 * if no other operation holds the lock and the status allows the action. Returns null otherwise.
 */
export async function acquireOperation(
  deps: Deps,
  organizationId: string,
  id: string,
  action: WorkspaceAction,
) {
  const now = deps.now();
  const staleBefore = new Date(now.getTime() - lockStaleAfterMs(deps));
  const [row] = await deps.db
    .update(ws)
    .set({ operation: action, operationStartedAt: now, updatedAt: now })
    .where(
      and(
        eq(ws.id, id),
        eq(ws.organizationId, organizationId),
        inArray(ws.status, statusesAllowing(action)),
        action === "delete" ? undefined : sql`${ws.providerVmId} is not null`,
        or(isNull(ws.operation), lt(ws.operationStartedAt, staleBefore)),
      ),
    )
    .returning();
  return row ?? null;
}

/** Records an operation's outcome and releases the lock, only if this operation still holds it. */
export async function finishOperation(
  deps: Deps,
  id: string,
  operation: string,
  outcome: Partial<
    Pick<
      WorkspaceRow,
      | "status"
      | "statusMessage"
      | "providerVmId"
      | "lastActiveAt"
      | "autoStoppedAt"
      | "statusCheckedAt"
      | "syncStatus"
      | "syncMessage"
      | "localHeadSha"
      | "remoteHeadSha"
      | "syncCheckedAt"
    >
  >,
) {
  const now = deps.now();
  const [row] = await deps.db
    .update(ws)
    .set({ ...outcome, operation: null, operationStartedAt: null, updatedAt: now })
    .where(and(eq(ws.id, id), eq(ws.operation, operation)))
    .returning();
  return row ?? null;
}

/**
 * Takes the operation lock for a scheduler job, re-checking `guard` in the same conditional update
 * so two overlapping ticks (or a tick and a request) can never both act on one workspace.
 */
export async function claimWorkspace(deps: Deps, id: string, operation: string, guard: SQL | undefined) {
  const now = deps.now();
  const staleBefore = new Date(now.getTime() - lockStaleAfterMs(deps));
  const [row] = await deps.db
    .update(ws)
    .set({ operation, operationStartedAt: now })
    .where(and(eq(ws.id, id), guard, or(isNull(ws.operation), lt(ws.operationStartedAt, staleBefore))))
    .returning();
  return row ?? null;
}
