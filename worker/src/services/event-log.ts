import { Event, type EventActor, type EventType } from "@cw/contracts";
import { type Database, type Executor, schema } from "@cw/db";
import { sql } from "drizzle-orm";
import { z } from "zod";
import type { NewEvent } from "../domain/events.ts";
import { formatOffset, type LogPosition } from "../domain/log-position.ts";

/**
 * The organization's event log (`events`): written in the transaction of the change each event
 * records, read after a position like the sync change log (only transactions older than the oldest
 * running one, so nothing that commits late is skipped).
 */

/** Records events; call it with the transaction of the change they describe. */
export async function recordEvents(
  db: Executor,
  organizationId: string,
  actor: EventActor,
  events: NewEvent[],
): Promise<void> {
  if (events.length === 0) return;
  await db.insert(schema.events).values(
    events.map((e) => ({
      organizationId,
      workspaceId: e.workspaceId,
      type: e.type,
      actor,
      data: e.data,
    })),
  );
}

/** The oldest transaction still running: events below it are final. */
const XMIN = sql`pg_snapshot_xmin(pg_current_snapshot())::text::bigint`;

const eventRow = z.object({
  xmin: z.string(),
  pending: z.boolean(),
  txid: z.string().nullable(),
  seq: z.string().nullable(),
  id: z.string().nullable(),
  organization_id: z.string().nullable(),
  workspace_id: z.string().nullable(),
  type: z.string().nullable(),
  actor: z.unknown(),
  data: z.unknown(),
  created_at: z.string().nullable(),
});

export interface EventFilter {
  types?: EventType[];
  workspaceId?: string;
}

export interface EventsRead {
  events: Event[];
  /** `{txid: xmin, seq: 0}`: every event below it was final when read. */
  upTo: LogPosition;
  /** Committed events of the organization (any filter) lie at or above `upTo`, not final yet. */
  pending: boolean;
}

/**
 * The organization's final events after `after` that match `filter`, oldest first, at most `limit`,
 * and the position the read saw everything below.
 */
export async function readEventsAfter(
  db: Database,
  organizationId: string,
  after: LogPosition,
  limit: number,
  filter: EventFilter = {},
): Promise<EventsRead> {
  const types = filter.types?.length
    ? sql`and e.type = any(${`{${filter.types.join(",")}}`}::text[])`
    : sql``;
  const workspace = filter.workspaceId ? sql`and e.workspace_id = ${filter.workspaceId}` : sql``;
  const result = await db.execute(
    sql`with x as (select ${XMIN} as xmin)
        select x.xmin::text as xmin,
               exists (select 1 from ${schema.events} p
                       where p.organization_id = ${organizationId} and p.txid >= x.xmin) as pending,
               e.txid::text as txid, e.seq::text as seq, e.id::text as id,
               e.organization_id::text as organization_id, e.workspace_id::text as workspace_id,
               e.type, e.actor, e.data,
               to_char(e.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as created_at
        from x left join lateral (
          select * from ${schema.events} e
          where e.organization_id = ${organizationId}
            and (e.txid, e.seq) > (${after.txid.toString()}::bigint, ${after.seq.toString()}::bigint)
            and e.txid < x.xmin ${types} ${workspace}
          order by e.txid, e.seq
          limit ${limit}
        ) e on true
        order by e.txid, e.seq`,
  );
  const rows = z.array(eventRow).parse(result.rows);
  const upTo = { txid: BigInt(rows[0]?.xmin ?? "0"), seq: 0n };
  const events = rows
    .filter((r) => r.seq !== null)
    .map((r) =>
      Event.parse({
        id: r.id,
        cursor: formatOffset({ txid: BigInt(r.txid!), seq: BigInt(r.seq!) }),
        type: r.type,
        organizationId: r.organization_id,
        workspaceId: r.workspace_id,
        actor: r.actor,
        data: r.data,
        createdAt: r.created_at,
      }),
    );
  return { events, upTo, pending: rows[0]?.pending ?? false };
}

/** Deletes events older than `before` (retention); the cron runs it. */
export async function compactEvents(db: Database, before: Date): Promise<{ deleted: number }> {
  const result = await db.execute(
    sql`with gone as (delete from ${schema.events} where created_at < ${before.toISOString()}::timestamptz returning 1)
        select count(*)::int as deleted from gone`,
  );
  return { deleted: z.object({ deleted: z.number() }).parse(result.rows[0]).deleted };
}
