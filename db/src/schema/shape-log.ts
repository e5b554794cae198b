import { sql } from "drizzle-orm";
import { bigint, check, index, integer, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";

/**
 * The change log behind the worker's built-in shape source (`GET /v1/shape` without Electric).
 * A trigger (migration `shape_log_triggers`) appends one entry per insert, update of a synced
 * column, or delete of a `cloud_workspaces` row. Entries name the row, never its values: the reader
 * sends the row as it is when it reads, so entries can be applied in any order and duplicates for
 * one row can be compacted away without losing anything.
 *
 * Offsets are `(txid, seq)`. The sequence alone is not commit order (a transaction that took seq 10
 * may commit after the one that took seq 11), so readers only return entries whose transaction is
 * older than the oldest one still running (`pg_snapshot_xmin`): that set only ever grows at its end,
 * which is what makes "everything after offset O" well defined.
 */
export const shapeLog = pgTable(
  "shape_log",
  {
    seq: bigint("seq", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    txid: bigint("txid", { mode: "number" }).notNull().default(sql`(pg_current_xact_id()::text::bigint)`),
    /** The shape name the entry belongs to (`workspaces`). */
    shape: text("shape").notNull(),
    /** Readers filter on it: an organization's readers never see another's entries. */
    organizationId: uuid("organization_id").notNull(),
    rowId: uuid("row_id").notNull(),
    operation: text("operation", { enum: ["insert", "update", "delete"] }).notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("shape_log_read_idx").on(t.organizationId, t.shape, t.txid, t.seq),
    index("shape_log_created_idx").on(t.createdAt),
  ],
);

/**
 * One row: the greatest offset that compaction has deleted. A client whose offset is older than it
 * may have missed a delete, so it is told to refetch (409 must-refetch).
 */
export const shapeLogHorizon = pgTable(
  "shape_log_horizon",
  {
    id: integer("id").primaryKey().default(1),
    txid: bigint("txid", { mode: "number" }).notNull().default(0),
    seq: bigint("seq", { mode: "number" }).notNull().default(0),
  },
  (t) => [check("shape_log_horizon_single_row", sql`${t.id} = 1`)],
);
