import type { UpdateWorkspace, WorkspaceStatus } from "@cw/contracts";
import { schema } from "@cw/db";
import { and, desc, eq, sql } from "drizzle-orm";
import type { z } from "zod";
import { userActor } from "../domain/events.ts";
import { type PageCursor, pageOf } from "../domain/pagination.ts";
import { notFound, Problem } from "../domain/problems.ts";
import { dbSourceOf, type HubStub } from "../hub/directory.ts";
import { logError } from "../safe-log.ts";
import { type Caller, type Deps, notifyChange } from "./deps.ts";
import { recordEvents } from "./event-log.ts";
import { findWorkspace } from "./workspace-rows.ts";

const ws = schema.cloudWorkspaces;

/** One page, newest first, by keyset over the (organization, createdAt, id) index. */
export async function listWorkspaces(
  deps: Deps,
  caller: Caller,
  opts: { limit: number; cursor: PageCursor | null; status?: WorkspaceStatus },
) {
  const rows = await deps.db
    .select()
    .from(ws)
    .where(
      and(
        eq(ws.organizationId, caller.organizationId),
        opts.status ? eq(ws.status, opts.status) : undefined,
        opts.cursor
          ? sql`(${ws.createdAt}, ${ws.id}) < (${opts.cursor.createdAt}, ${opts.cursor.id})`
          : undefined,
      ),
    )
    .orderBy(desc(ws.createdAt), desc(ws.id))
    .limit(opts.limit + 1);
  return pageOf(rows, opts.limit);
}

export async function getWorkspace(deps: Deps, caller: Caller, id: string) {
  const row = await findWorkspace(deps, caller.organizationId, id);
  if (!row) throw notFound("workspace");
  return row;
}

export async function updateWorkspace(
  deps: Deps,
  caller: Caller,
  id: string,
  patch: z.output<typeof UpdateWorkspace>,
) {
  if (Object.values(patch).every((v) => v === undefined)) {
    throw new Problem(400, "validation", "Invalid request", "nothing to update", {
      errors: [{ field: "body", message: "give name, autoStopMinutes and/or autoStopAction" }],
    });
  }
  const row = await deps.db.transaction(async (tx) => {
    const [updated] = await tx
      .update(ws)
      .set({ ...patch, updatedAt: deps.now() })
      .where(and(eq(ws.id, id), eq(ws.organizationId, caller.organizationId)))
      .returning();
    if (!updated) return null;
    const changes = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
    await recordEvents(tx, caller.organizationId, userActor(caller), [
      { type: "workspace.updated", workspaceId: id, data: { changes } },
    ]);
    return updated;
  });
  if (!row) throw notFound("workspace");
  await notifyChange(deps, caller.organizationId);
  return row;
}

/**
 * The workspace once its status is one of `statuses`, or as it is when `timeoutMs` has passed (or
 * gone: 404). Waits on the organization's hub for a change of this row — no polling; each change
 * of it costs one look at the hub's copy of the row, and one read when its status matches.
 */
export async function getWorkspaceWhen(
  deps: Deps,
  caller: Caller,
  id: string,
  statuses: WorkspaceStatus[],
  timeoutMs: number,
) {
  const deadline = Date.now() + timeoutMs;
  let seen = await findWorkspaceAt(deps, caller.organizationId, id);
  while (seen && !statuses.includes(seen.row.status) && Date.now() < deadline) {
    let answer: Awaited<ReturnType<HubStub["waitShape"]>>;
    try {
      answer = await deps.hubs(caller.organizationId).waitShape({
        source: dbSourceOf(deps.config),
        organizationId: caller.organizationId,
        after: seen.position,
        rowId: id,
        timeoutMs: Math.max(1, deadline - Date.now()),
        pollMs: deps.config.SHAPE_POLL_MS,
        limit: 1_000,
      });
    } catch (err) {
      logError("waiting on the organization's hub failed; answering the workspace as it is:", err);
      break;
    }
    if (answer.kind === "timeout") break;
    if (answer.kind === "entries" && answer.entries.length > 0) {
      const row = answer.rows[id];
      const status = row?.status as WorkspaceStatus | undefined;
      // The hub's copy says the status has not reached one of those yet: wait on from there.
      if (row && status && !statuses.includes(status)) {
        seen = { row: seen.row, position: answer.entries.at(-1)!.position };
        continue;
      }
    }
    seen = await findWorkspaceAt(deps, caller.organizationId, id);
  }
  if (!seen) throw notFound("workspace");
  return seen.row;
}

/** The workspace and the change log position its read reflects (everything final below it). */
async function findWorkspaceAt(deps: Deps, organizationId: string, id: string) {
  const [found] = await deps.db
    .select({ row: ws, xmin: sql<string>`pg_snapshot_xmin(pg_current_snapshot())::text` })
    .from(ws)
    .where(and(eq(ws.id, id), eq(ws.organizationId, organizationId)));
  return found ? { row: found.row, position: { txid: BigInt(found.xmin), seq: 0n } } : null;
}
