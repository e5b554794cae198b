import { statusesAllowing, type WorkspaceAction } from "@cw/contracts";
import { schema } from "@cw/db";
import { and, eq, inArray, isNull, lt, or, type SQL, sql } from "drizzle-orm";
import { type ChangeCause, workspaceChangeEvents } from "../domain/events.ts";
import { lockStaleAfterMs } from "../domain/operation-lock.ts";
import { type Deps, notifyChange } from "./deps.ts";
import { recordEvents } from "./event-log.ts";

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
  // The operation in flight is part of the synced row.
  if (row) await notifyChange(deps, row.organizationId);
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

type Outcome = Partial<
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
>;

/**
 * Records an operation's outcome and releases the lock, only if this operation still holds it. A
 * status or git sync change is recorded as an event of `cause`'s, in the same transaction.
 */
export async function finishOperation(
  deps: Deps,
  id: string,
  operation: string,
  outcome: Outcome,
  cause: ChangeCause,
) {
  const row = await changeWorkspace(
    deps,
    and(eq(ws.id, id), eq(ws.operation, operation)),
    { ...outcome, operation: null, operationStartedAt: null, updatedAt: deps.now() },
    cause,
  );
  return row;
}

/**
 * Updates the workspace `where` selects (one row at most) and records the events of the change —
 * in one transaction when its status or git sync may move — then tells the organization's hub.
 */
export async function changeWorkspace(
  deps: Deps,
  where: SQL | undefined,
  set: Partial<WorkspaceRow>,
  cause: ChangeCause,
): Promise<WorkspaceRow | null> {
  const row =
    set.status === undefined && set.syncStatus === undefined
      ? ((await deps.db.update(ws).set(set).where(where).returning())[0] ?? null)
      : await deps.db.transaction(async (tx) => {
          const [before] = await tx.select().from(ws).where(where).for("update");
          if (!before) return null;
          const [after] = await tx.update(ws).set(set).where(eq(ws.id, before.id)).returning();
          await recordEvents(
            tx,
            after!.organizationId,
            cause.actor,
            workspaceChangeEvents(before, after!, cause),
          );
          return after!;
        });
  if (row) await notifyChange(deps, row.organizationId);
  return row;
}
