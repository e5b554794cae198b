import { sql } from "drizzle-orm";
import { bigint, index, jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { organizations } from "./accounts.ts";

/**
 * The organization's events: every lifecycle change, hold, session, SSH grant and credential change,
 * written in the same transaction as the change it records. It is the audit log (`GET /v1/events`),
 * the event stream's source and what webhooks deliver.
 *
 * Positions are `(txid, seq)`, read like `shape_log`'s: only events of transactions older than the
 * oldest one still running are read, so "every event after position P" never skips one that commits
 * late. Bounded by retention (EVENT_RETENTION_DAYS), compacted by the cron.
 */
export const events = pgTable(
  "events",
  {
    seq: bigint("seq", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    txid: bigint("txid", { mode: "number" }).notNull().default(sql`(pg_current_xact_id()::text::bigint)`),
    /** The event's stable id (webhook deliveries carry it as `webhook-id`). */
    id: uuid("id").notNull().unique().defaultRandom(),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    /** The workspace it concerns, if any; no foreign key: events outlive their workspace. */
    workspaceId: uuid("workspace_id"),
    type: text("type").notNull(),
    /** Who did it: `{type: "user", userId, tokenId}` or `{type: "system", process}` (contract `EventActor`). */
    actor: jsonb("actor").notNull(),
    data: jsonb("data").notNull().default({}),
    createdAt: timestamp("created_at", { withTimezone: true })
      .notNull()
      .default(sql`date_trunc('milliseconds', now())`),
  },
  (t) => [
    index("events_read_idx").on(t.organizationId, t.txid, t.seq),
    index("events_workspace_idx").on(t.organizationId, t.workspaceId, t.txid, t.seq),
    index("events_created_idx").on(t.createdAt),
  ],
);
