import { statusesAllowing, type WorkspaceAction } from "@cw/contracts";
import { schema } from "@cw/db";
import { and, eq, inArray, isNull, lt, or, type SQL, sql } from "drizzle-orm";
import { lockStaleAfterMs } from "../domain/operation-lock.ts";
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

/**
 * The workspace's operation lock, the one way anything (a route, a cron job) gets to drive its
 * provider: one conditional update that succeeds only if no operation holds the lock (or the one
 * holding it is stale) and `guard` still holds, so two requests or overlapping ticks can never
 * both act. Returns the locked row, or null. Released by `finishOperation`.
 */
export async function acquireOperation(deps: Deps, id: string, operation: string, guard: SQL | undefined) {
  const now = deps.now();
  const staleBefore = new Date(now.getTime() - lockStaleAfterMs(deps.config));
  const [row] = await deps.db
    .update(ws)
    .set({ operation, operationStartedAt: now, updatedAt: now })
    .where(and(eq(ws.id, id), guard, or(isNull(ws.operation), lt(ws.operationStartedAt, staleBefore))))
    .returning();
  return row ?? null;
}

/** The guard of a user's `action`: the caller's organization, a status that allows it, a VM to act on. */
export function actionGuard(organizationId: string, action: WorkspaceAction): SQL | undefined {
  return and(
    eq(ws.organizationId, organizationId),
    inArray(ws.status, statusesAllowing(action)),
    action === "delete" ? undefined : sql`${ws.providerVmId} is not null`,
  );
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
      | "uncommittedFiles"
      | "untrackedFiles"
      | "unpushedCommits"
      | "stashes"
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
