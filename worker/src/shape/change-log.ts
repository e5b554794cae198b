import type { Database } from "@cw/db";
import { sql } from "drizzle-orm";
import { z } from "zod";
import type { LogPosition } from "../domain/log-position.ts";
import type { WireValue } from "./protocol.ts";
import type { ShapeDefinition } from "./shapes.ts";

/**
 * Reads of the built-in source from Postgres: the snapshot, the change log after a position, and
 * the bounds a position must lie within. Identifiers come from ShapeDefinition (server constants),
 * never from the request; values are bound parameters.
 */

/** The oldest transaction still running: log entries below it are final (see shape-log.ts). */
const XMIN = sql`pg_snapshot_xmin(pg_current_snapshot())::text::bigint`;

const bigintText = z.union([z.string(), z.number()]).transform((v) => BigInt(v));
const wireRow = z.record(z.string(), z.string().nullable());
const xminRow = z.object({ xmin: bigintText });
const rowsResult = z.array(z.object({ value: wireRow }));
const boundsRow = z.object({ h_txid: bigintText, h_seq: bigintText, xmax: bigintText });

export type WireRow = Record<string, WireValue>;

const table = (shape: ShapeDefinition) => sql.raw(`"${shape.table}"`);
const orgColumn = (shape: ShapeDefinition) => sql.raw(`w."${shape.organizationColumn}"`);
const rowFn = (shape: ShapeDefinition) => sql.raw(shape.rowFunction);

/**
 * The organization's rows and the log position they reflect, read in one repeatable-read snapshot:
 * every entry of a transaction older than the snapshot's xmin is in the rows; later entries are
 * re-read afterwards (re-sending a row is harmless, missing one is not).
 */
export async function readSnapshot(db: Database, shape: ShapeDefinition, organizationId: string) {
  return db.transaction(
    async (tx) => {
      const xmin = xminRow.parse((await tx.execute(sql`select ${XMIN} as xmin`)).rows[0]).xmin;
      const rows = await tx.execute(
        sql`select ${rowFn(shape)}(w) as value from ${table(shape)} w
            where ${orgColumn(shape)} = ${organizationId} order by w.created_at, w.id`,
      );
      return {
        rows: rowsResult.parse(rows.rows).map((r) => r.value),
        position: { txid: xmin, seq: 0n } satisfies LogPosition,
      };
    },
    { isolationLevel: "repeatable read", accessMode: "read only" },
  );
}

/** The current position: "skip history" (`offset=now`). */
export async function currentPosition(db: Database): Promise<LogPosition> {
  const xmin = xminRow.parse((await db.execute(sql`select ${XMIN} as xmin`)).rows[0]).xmin;
  return { txid: xmin, seq: 0n };
}

export interface LogEntry {
  position: LogPosition;
  rowId: string;
  operation: "insert" | "update" | "delete";
}

export interface EntriesRead {
  entries: LogEntry[];
  /** `{txid: xmin, seq: 0}`: every entry below it was final when read. */
  upTo: LogPosition;
  /**
   * Committed entries of the organization's shape lie at or above `upTo`: an older transaction (of
   * any organization, any database of the server) still runs, so they are not final yet. Whoever
   * waits for them should read again soon rather than at its next poll.
   */
  pending: boolean;
}

const entryOrNone = z.object({
  xmin: bigintText,
  pending: z.boolean(),
  txid: bigintText.nullable(),
  seq: bigintText.nullable(),
  row_id: z.string().nullable(),
  operation: z.enum(["insert", "update", "delete"]).nullable(),
});

/**
 * Final log entries of the organization's shape after `after`, oldest first, at most `limit`, and
 * the position below which the read saw every entry.
 */
export async function readEntries(
  db: Database,
  shape: ShapeDefinition,
  organizationId: string,
  after: LogPosition,
  limit: number,
): Promise<EntriesRead> {
  const result = await db.execute(
    sql`with x as (select ${XMIN} as xmin)
        select x.xmin::text as xmin, e.txid::text as txid, e.seq::text as seq,
               e.row_id::text as row_id, e.operation,
               exists (select 1 from shape_log p
                       where p.organization_id = ${organizationId} and p.shape = ${shape.name}
                         and p.txid >= x.xmin) as pending
        from x left join lateral (
          select txid, seq, row_id, operation from shape_log
          where organization_id = ${organizationId} and shape = ${shape.name}
            and (txid, seq) > (${after.txid.toString()}::bigint, ${after.seq.toString()}::bigint)
            and txid < x.xmin
          order by txid, seq
          limit ${limit}
        ) e on true
        order by e.txid, e.seq`,
  );
  const rows = z.array(entryOrNone).parse(result.rows);
  const entries = rows.flatMap((e) =>
    e.txid === null || e.seq === null || e.row_id === null || e.operation === null
      ? []
      : [{ position: { txid: e.txid, seq: e.seq }, rowId: e.row_id, operation: e.operation }],
  );
  return { entries, upTo: { txid: rows[0]?.xmin ?? 0n, seq: 0n }, pending: rows[0]?.pending ?? false };
}

/** The current values of some rows of the organization, by id (absent = deleted or not theirs). */
export async function readRows(
  db: Database,
  shape: ShapeDefinition,
  organizationId: string,
  ids: string[],
): Promise<Map<string, WireRow>> {
  if (ids.length === 0) return new Map();
  const result = await db.execute(
    sql`select ${rowFn(shape)}(w) as value from ${table(shape)} w
        where w.id = any(${`{${ids.join(",")}}`}::uuid[]) and ${orgColumn(shape)} = ${organizationId}`,
  );
  const rows = rowsResult.parse(result.rows).map((r) => r.value);
  return new Map(rows.map((row) => [String(row.id), row]));
}

/**
 * What a client's position is checked against: the compaction horizon (positions at or after it
 * still have every later entry) and the next transaction id (a position beyond it came from another
 * database, or one restored from a backup).
 */
export async function readBounds(db: Database): Promise<{ horizon: LogPosition; nextTxid: bigint }> {
  const result = await db.execute(
    sql`select coalesce(h.txid, 0)::text as h_txid, coalesce(h.seq, 0)::text as h_seq,
               pg_snapshot_xmax(pg_current_snapshot())::text as xmax
        from (select 1) one left join shape_log_horizon h on h.id = 1`,
  );
  const row = boundsRow.parse(result.rows[0]);
  return { horizon: { txid: row.h_txid, seq: row.h_seq }, nextTxid: row.xmax };
}

/**
 * Deletes final log entries older than `before` and moves the horizon past them, so clients whose
 * offset predates the deletion get 409 must-refetch instead of silently missing a delete. Safe to
 * run concurrently with readers and writers, and from overlapping cron ticks.
 */
export async function compactShapeLog(db: Database, before: Date): Promise<{ deleted: number }> {
  const result = await db.execute(
    sql`with gone as (
          delete from shape_log
          where created_at < ${before.toISOString()}::timestamptz and txid < ${XMIN}
          returning txid, seq
        ),
        top as (select txid, seq from gone order by txid desc, seq desc limit 1),
        moved as (
          update shape_log_horizon h set txid = top.txid, seq = top.seq
          from top where h.id = 1 and (top.txid, top.seq) > (h.txid, h.seq)
          returning 1
        )
        select (select count(*) from gone)::int as deleted, (select count(*) from moved)::int as moved`,
  );
  return { deleted: z.object({ deleted: z.number() }).parse(result.rows[0]).deleted };
}
