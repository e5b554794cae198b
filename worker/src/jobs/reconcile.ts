import { schema } from "@cw/db";
import { and, asc, eq, gt, isNotNull, isNull, ne, or, sql } from "drizzle-orm";
import { type ChangeCause, systemActor } from "../domain/events.ts";
import { type ProviderView, reconcile } from "../domain/reconcile.ts";
import { failureText, messageText } from "../domain/vm-text.ts";
import { ProviderError } from "../providers/index.ts";
import { logError } from "../safe-log.ts";
import type { Deps } from "../services/deps.ts";
import { prepareCheckout, repositoryUrlOf } from "../services/vm-checkout.ts";
import { acquireOperation, finishOperation, type WorkspaceRow } from "../services/workspace-rows.ts";
import { fanOut, type JobBudget, unbudgeted } from "./fan-out.ts";

const ws = schema.cloudWorkspaces;
const reconciling: ChangeCause = { actor: systemActor("reconcile") };
/** Settled workspaces compared with their provider per tick, least recently checked first. */
export const DRIFT_BATCH = 50;
/** Provisioning workspaces looked at per tick, oldest first (each has a deadline; there are few). */
export const PROVISIONING_BATCH = 50;

/**
 * Provisioning workspaces oldest first, then settled ones in a rolling batch — but not those
 * idle auto-stop is about to act on in the same tick (both would want the lock; the stop decides).
 * Each takes the operation lock re-checking its status, so overlapping ticks and concurrent
 * requests never act twice; several run at once within the budget.
 */
export async function reconcileJob(deps: Deps, deadlineMs: number, budget: JobBudget = unbudgeted()) {
  const now = deps.now();
  const provisioning = await deps.db
    .select()
    .from(ws)
    .where(eq(ws.status, "provisioning"))
    .orderBy(asc(ws.createdAt), asc(ws.id))
    .limit(PROVISIONING_BATCH);
  const settled = await deps.db
    .select()
    .from(ws)
    // Same predicate and order as cloud_workspaces_drift_batch_idx, and a filter on its rows.
    .where(
      and(
        ne(ws.status, "provisioning"),
        isNotNull(ws.providerVmId),
        or(isNull(ws.autoStopAt), gt(ws.autoStopAt, now)),
      ),
    )
    .orderBy(sql`${ws.statusCheckedAt} asc nulls first`, asc(ws.id))
    .limit(DRIFT_BATCH);
  let changed = 0;
  let failed = 0;
  const { left } = await fanOut(
    [...provisioning, ...settled],
    async (row) => {
      try {
        if (await reconcileOne(deps, row, deadlineMs)) changed++;
      } catch (err) {
        failed++;
        logError(`reconcile of ${row.id} failed:`, err);
      }
    },
    budget,
  );
  return { checked: provisioning.length + settled.length - left, changed, failed, left };
}

async function reconcileOne(deps: Deps, candidate: WorkspaceRow, deadlineMs: number): Promise<boolean> {
  const row = await acquireOperation(deps, candidate.id, "reconcile", eq(ws.status, candidate.status));
  if (!row) return false;
  let view: ProviderView | null = null;
  let lookupError: string | null = null;
  if (row.providerVmId) {
    try {
      const state = await deps.providers(row.providerType).status(row.providerVmId);
      view = { kind: "state", status: state.status, message: state.message };
    } catch (err) {
      if (err instanceof ProviderError && err.notFound) view = { kind: "gone" };
      else lookupError = failureText(err);
    }
  }
  const now = deps.now();
  if (lookupError !== null && row.status !== "provisioning") {
    // Unreachable provider: nothing is known to have changed; say so on the workspace.
    await finishOperation(
      deps,
      row.id,
      "reconcile",
      { statusCheckedAt: now, statusMessage: `last check failed: ${lookupError}` },
      reconciling,
    );
    return false;
  }
  let decision = reconcile(row, view, now, deadlineMs);
  if (decision.kind === "set" && decision.status === "running" && row.status === "provisioning") {
    // A create whose run was lost (its VM adopted by the janitor) may not have cloned yet.
    const unready = await checkoutProblem(deps, row);
    if (unready) decision = { kind: "set", status: "error", message: unready };
  }
  if (decision.kind === "none") {
    await finishOperation(deps, row.id, "reconcile", { statusCheckedAt: now }, reconciling);
    return false;
  }
  // A workspace settling out of provisioning has just been created (a lifecycle call: activity);
  // drift found by the control plane's own check is not activity and moves no countdown.
  const created = row.status === "provisioning" && decision.status === "running";
  await finishOperation(
    deps,
    row.id,
    "reconcile",
    {
      status: decision.status,
      statusMessage: decision.message,
      statusCheckedAt: now,
      ...(created ? { lastActiveAt: now } : {}),
    },
    created ? { actor: systemActor("provisioning") } : reconciling,
  );
  return true;
}

async function checkoutProblem(deps: Deps, row: WorkspaceRow): Promise<string | null> {
  const repoUrl = await repositoryUrlOf(deps, row.repositoryId);
  if (!repoUrl) return "the workspace's repository no longer exists";
  try {
    return await prepareCheckout(deps, row, row.providerVmId!, repoUrl);
  } catch (err) {
    return err instanceof ProviderError ? messageText(err.message) : "the repository could not be cloned";
  }
}
