import { allowedActions, type CreateHold, type Hold } from "@cw/contracts";
import type { z } from "zod";
import { holdEnd, mayHold } from "../domain/holds.ts";
import { holdView } from "../domain/presence-mirror.ts";
import { limitReached, notFound, Problem, validationProblem } from "../domain/problems.ts";
import type { Caller, Deps } from "./deps.ts";
import { userNames } from "./user-names.ts";
import { findWorkspace } from "./workspace-rows.ts";

/**
 * Holds: the organization check happens here against Postgres; the holds live in the workspace's
 * presence object (durable, expired by its alarm), which writes them through to Postgres with
 * their events.
 */
async function workspaceOf(deps: Deps, caller: Caller, workspaceId: string) {
  const row = await findWorkspace(deps, caller.organizationId, workspaceId);
  if (!row) throw notFound("workspace");
  return row;
}

const holdLimit = (max: number) =>
  limitReached(
    "MAX_HOLDS_PER_WORKSPACE",
    max,
    `the workspace has ${max} live holds, the most allowed (MAX_HOLDS_PER_WORKSPACE=${max}); release one or wait for one to end`,
    429,
  );

export async function createHold(
  deps: Deps,
  caller: Caller,
  workspaceId: string,
  input: z.output<typeof CreateHold>,
): Promise<Hold> {
  // Like the schema's checks, before anything is looked up: bad input is a 400 whatever else is true.
  const end = holdEnd(input, deps.now().getTime());
  if (!end.ok) throw validationProblem([{ field: "body.until", message: end.message }]);
  const row = await workspaceOf(deps, caller, workspaceId);
  if (!mayHold(row.status))
    throw new Problem(
      409,
      "not-running",
      "Workspace not running",
      `cannot hold a workspace that is ${row.status}: a hold keeps a running workspace running; resume it first`,
      { workspaceStatus: row.status, allowedActions: allowedActions(row) },
    );
  const placed = await deps.presence(workspaceId).createHold(workspaceId, {
    userId: caller.userId,
    tokenId: caller.tokenId,
    reason: input.reason,
    until: end.until,
  });
  if ("full" in placed) throw holdLimit(placed.max);
  const names = await userNames(deps.db, [caller.userId]);
  return holdView(placed.hold, names.get(caller.userId));
}

/** The workspace's live holds, soonest end first. */
export async function listHolds(deps: Deps, caller: Caller, workspaceId: string): Promise<Hold[]> {
  await workspaceOf(deps, caller, workspaceId);
  const holds = await deps.presence(workspaceId).holds();
  const names = await userNames(deps.db, [...new Set(holds.map((h) => h.userId))]);
  return holds.map((h) => holdView(h, names.get(h.userId)));
}

/**
 * Releases a live hold. Any member of the organization may (as any member may pause or stop the
 * workspace): the event names who did.
 */
export async function releaseHold(deps: Deps, caller: Caller, workspaceId: string, holdId: string) {
  await workspaceOf(deps, caller, workspaceId);
  const released = await deps.presence(workspaceId).releaseHold(workspaceId, holdId, {
    userId: caller.userId,
    tokenId: caller.tokenId,
  });
  if (!released) throw notFound("hold");
}
