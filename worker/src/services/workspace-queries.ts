import type { UpdateWorkspace, WorkspaceStatus } from "@cw/contracts";
import { schema } from "@cw/db";
import { and, desc, eq, sql } from "drizzle-orm";
import type { z } from "zod";
import { encodeCursor, type PageCursor } from "../domain/pagination.ts";
import { notFound, Problem } from "../domain/problems.ts";
import type { Caller, Deps } from "./deps.ts";
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
  const page = rows.slice(0, opts.limit);
  const last = page.at(-1);
  return { items: page, nextCursor: rows.length > opts.limit && last ? encodeCursor(last) : null };
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
  const [row] = await deps.db
    .update(ws)
    .set({ ...patch, updatedAt: deps.now() })
    .where(and(eq(ws.id, id), eq(ws.organizationId, caller.organizationId)))
    .returning();
  if (!row) throw notFound("workspace");
  return row;
}
