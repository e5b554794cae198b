import { schema } from "@cw/db";
import { and, asc, gt, inArray, lte, type SQL, sql } from "drizzle-orm";
import { type NewEvent, systemActor } from "../domain/events.ts";
import { type Deps, notifyChange } from "../services/deps.ts";
import { recordEvents } from "../services/event-log.ts";

const ws = schema.cloudWorkspaces;
/** Countdowns warned per tick at most; the rest are warned on the next (soonest first). */
export const WARNING_BATCH = 500;

/**
 * Records `workspace.auto_stop_coming` {at, action} AUTO_STOP_WARNING_MINUTES before idle auto-stop
 * acts, once per countdown: `auto_stop_warned_for` remembers the auto_stop_at it was recorded for,
 * so a countdown that moves (someone came and went, a hold ended) is warned again, and one that
 * does not is never warned twice. Candidates come from the auto_stop_at index; one conditional
 * update marks them (re-checked under its row locks, so overlapping ticks cannot both warn) and
 * the events are recorded in its transaction. Then each organization's hub is told.
 */
export async function autoStopWarningJob(deps: Deps) {
  const minutes = deps.config.AUTO_STOP_WARNING_MINUTES;
  if (minutes === 0) return { warned: 0 };
  const now = deps.now();
  const comingSoon: SQL = and(
    gt(ws.autoStopAt, now),
    lte(ws.autoStopAt, new Date(now.getTime() + minutes * 60_000)),
    sql`${ws.autoStopWarnedFor} is distinct from ${ws.autoStopAt}`,
  )!;
  const warned = await deps.db.transaction(async (tx) => {
    const candidates = tx
      .select({ id: ws.id })
      .from(ws)
      .where(comingSoon)
      .orderBy(asc(ws.autoStopAt))
      .limit(WARNING_BATCH);
    const rows = await tx
      .update(ws)
      .set({ autoStopWarnedFor: sql`${ws.autoStopAt}` })
      .where(and(inArray(ws.id, candidates), comingSoon))
      .returning({
        id: ws.id,
        organizationId: ws.organizationId,
        at: ws.autoStopAt,
        action: ws.autoStopAction,
      });
    const byOrganization = new Map<string, NewEvent[]>();
    for (const r of rows)
      byOrganization.set(r.organizationId, [
        ...(byOrganization.get(r.organizationId) ?? []),
        {
          type: "workspace.auto_stop_coming",
          workspaceId: r.id,
          data: { at: r.at!.toISOString(), action: r.action },
        },
      ]);
    for (const [organizationId, events] of byOrganization)
      await recordEvents(tx, organizationId, systemActor("auto-stop"), events);
    return rows;
  });
  for (const organizationId of new Set(warned.map((r) => r.organizationId)))
    await notifyChange(deps, organizationId);
  return { warned: warned.length };
}
