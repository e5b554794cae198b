import { sql } from "drizzle-orm";
import { bigint, index, integer, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { organizations } from "./accounts.ts";
import { webhookDeliveryStatusEnum, webhookStatusEnum } from "./enums.ts";

const ts = (name: string) => timestamp(name, { withTimezone: true });

/**
 * A webhook endpoint of an organization: where its events (of `event_types`, or all with `*`) are
 * POSTed, signed with the endpoint's secret. The secret must be readable to sign, so it is
 * AES-256-GCM ciphertext under the key named by `secret_key_id` (one of the worker's
 * GIT_CREDENTIAL_KEYS), bound to this endpoint and organization.
 *
 * `cursor_txid`/`cursor_seq` is the position in the organization's event log (`events`) up to which
 * deliveries have been made rows of `webhook_deliveries`: the endpoint's delivery object advances it
 * in the same transaction that inserts them, so each event is queued once.
 */
export const webhookEndpoints = pgTable(
  "webhook_endpoints",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    url: text("url").notNull(),
    eventTypes: text("event_types").array().notNull(),
    description: text("description"),
    secretKeyId: text("secret_key_id").notNull(),
    /** base64 of the 12-byte nonce and of the ciphertext with its tag. */
    secretIv: text("secret_iv").notNull(),
    secretCiphertext: text("secret_ciphertext").notNull(),
    status: webhookStatusEnum("status").notNull().default("enabled"),
    disabledAt: ts("disabled_at"),
    disabledReason: text("disabled_reason"),
    cursorTxid: bigint("cursor_txid", { mode: "bigint" }).notNull(),
    cursorSeq: bigint("cursor_seq", { mode: "bigint" }).notNull(),
    /** The last 2xx answer: an endpoint with none for the 24 hours a delivery was retried is disabled. */
    lastSuccessAt: ts("last_success_at"),
    createdAt: ts("created_at").notNull().defaultNow(),
  },
  (t) => [
    index("webhook_endpoints_org_idx").on(t.organizationId, t.createdAt),
    // Re-encryption under a newer key reads the rows still under an older one.
    index("webhook_endpoints_key_idx").on(t.secretKeyId),
  ],
);

/**
 * One event (or test) to deliver to one endpoint, and how its attempts went. `body` is the exact
 * JSON sent, so every retry signs and sends the same bytes. Kept after it settles (delivered or
 * failed) for EVENT_RETENTION_DAYS, like the events themselves.
 */
export const webhookDeliveries = pgTable(
  "webhook_deliveries",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    /** Sending order among deliveries due at the same time. */
    seq: bigint("seq", { mode: "number" }).notNull().generatedAlwaysAsIdentity(),
    endpointId: uuid("endpoint_id")
      .notNull()
      .references(() => webhookEndpoints.id, { onDelete: "cascade" }),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    /** The event's id (`webhook-id`); a test delivery's own. */
    eventId: uuid("event_id").notNull(),
    eventType: text("event_type").notNull(),
    body: text("body").notNull(),
    status: webhookDeliveryStatusEnum("status").notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    /** When a pending delivery is due; a claimed one's lease (a run that died is retried after it). */
    nextAttemptAt: ts("next_attempt_at").notNull(),
    lastAttemptAt: ts("last_attempt_at"),
    lastResponseStatus: integer("last_response_status"),
    lastError: text("last_error"),
    createdAt: ts("created_at").notNull().defaultNow(),
    deliveredAt: ts("delivered_at"),
  },
  (t) => [
    uniqueIndex("webhook_deliveries_event_idx").on(t.endpointId, t.eventId),
    index("webhook_deliveries_due_idx")
      .on(t.endpointId, t.nextAttemptAt, t.seq)
      .where(sql`${t.status} = 'pending'`),
    index("webhook_deliveries_list_idx").on(t.endpointId, t.createdAt, t.id),
    index("webhook_deliveries_settled_idx").on(t.createdAt).where(sql`${t.status} <> 'pending'`),
  ],
);
