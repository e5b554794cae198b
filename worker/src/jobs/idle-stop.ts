import { schema } from "@cw/db";
import { and, asc, eq, lte } from "drizzle-orm";
import { autoStopMessage, isDueForAutoStop } from "../domain/auto-stop.ts";
import { type ChangeCause, systemActor } from "../domain/events.ts";
import { presenceOf } from "../domain/workspace-view.ts";
import { logError } from "../safe-log.ts";
import type { Deps } from "../services/deps.ts";
import { performAction } from "../services/workspace-lifecycle.ts";
import { acquireOperation, finishOperation } from "../services/workspace-rows.ts";
import { fanOut, type JobBudget, unbudgeted } from "./fan-out.ts";

const ws = schema.cloudWorkspaces;
const autoStop: ChangeCause = { actor: systemActor("auto-stop") };
export const IDLE_BATCH = 100;

/**
 * Stops (or pauses) running workspaces whose auto_stop_at has passed. Candidates come from the
 * auto_stop_at index (O(due), not O(all)), oldest first, several at a time within the budget;
 * each takes the operation lock with the same conditions re-checked, and finally the presence
 * object — the authority — must confirm that nobody is connected and no hold is live.
 */
export async function idleStopJob(deps: Deps, budget: JobBudget = unbudgeted()) {
  const now = deps.now();
  const due = await deps.db
    .select({ id: ws.id })
    .from(ws)
    .where(lte(ws.autoStopAt, now))
    .orderBy(asc(ws.autoStopAt))
    .limit(IDLE_BATCH);
  let stopped = 0;
  let failed = 0;
  const stopOne = async (id: string) => {
    try {
      const row = await acquireOperation(
        deps,
        id,
        "auto-stop",
        and(eq(ws.status, "running"), lte(ws.autoStopAt, now), eq(ws.connectedCount, 0)),
      );
      if (!row) return;
      const live = await deps.presence(id).activity();
      if (!isDueForAutoStop({ ...row, operation: null, presence: presenceOf(row) }, live, now)) {
        await finishOperation(deps, id, "auto-stop", {}, autoStop);
        return;
      }
      await performAction(deps, row, row.autoStopAction, "auto-stop", autoStop, {
        statusMessage: autoStopMessage(row.autoStopAction, row.autoStopMinutes),
        autoStoppedAt: now,
      });
      stopped++;
    } catch (err) {
      // performAction already put the workspace in error with the provider's words.
      failed++;
      logError(`auto-stop of ${id} failed:`, err);
    }
  };
  const { left } = await fanOut(
    due.map((d) => d.id),
    stopOne,
    budget,
  );
  return { due: due.length, stopped, failed, left };
}
