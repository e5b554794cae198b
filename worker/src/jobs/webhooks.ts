import { schema } from "@cw/db";
import { sql } from "drizzle-orm";
import { z } from "zod";
import { logError } from "../safe-log.ts";
import type { Deps } from "../services/deps.ts";

/**
 * The cron's part in webhook delivery, a safety net: the hub wakes an endpoint's delivery object
 * when it reads new events, and the object sets its own alarm for retries, but a wake can be lost
 * (a hub evicted mid-refresh, a failed call). Each tick wakes the endpoints whose object should have
 * acted a minute ago and apparently did not — a pending delivery overdue, or an event it wants
 * recorded after its cursor — and deletes settled deliveries past the events' retention.
 */
const OVERDUE_MS = 60_000;
/** Endpoints woken per tick at most, longest overdue first. */
export const WEBHOOK_WAKE_BATCH = 100;

const endpoints = schema.webhookEndpoints;
const deliveries = schema.webhookDeliveries;
const events = schema.events;

export async function webhookJob(deps: Deps, now: Date, retentionMs: number) {
  const overdue = new Date(now.getTime() - OVERDUE_MS).toISOString();
  const result = await deps.db.execute(
    sql`select w.id::text as id from ${endpoints} w
        where exists (
            select 1 from ${deliveries} d
            where d.endpoint_id = w.id and d.status = 'pending' and d.next_attempt_at < ${overdue}::timestamptz)
          or (w.status = 'enabled' and exists (
            select 1 from ${events} e
            where e.organization_id = w.organization_id
              and (e.txid, e.seq) > (w.cursor_txid, w.cursor_seq)
              and e.created_at < ${overdue}::timestamptz
              and ('*' = any(w.event_types) or e.type = any(w.event_types))))
        limit ${WEBHOOK_WAKE_BATCH}`,
  );
  const lagging = z.array(z.object({ id: z.string() })).parse(result.rows);
  let woken = 0;
  for (const { id } of lagging) {
    try {
      await deps.webhooks(id).poke(id);
      woken++;
    } catch (err) {
      logError(`waking webhook endpoint ${id} failed:`, err);
    }
  }
  const compacted = await deps.db.execute(
    sql`with gone as (
          delete from ${deliveries}
          where status <> 'pending' and created_at < ${new Date(now.getTime() - retentionMs).toISOString()}::timestamptz
          returning 1)
        select count(*)::int as deleted from gone`,
  );
  const deleted = z.object({ deleted: z.number() }).parse(compacted.rows[0]).deleted;
  return { lagging: lagging.length, woken, deliveriesDeleted: deleted };
}
