import type { Event } from "@cw/contracts";
import { type Database, schema } from "@cw/db";
import { and, eq } from "drizzle-orm";
import { comparePositions, type LogPosition, parsePosition } from "../domain/log-position.ts";
import { type EventFilter, readEventsAfter } from "../services/event-log.ts";
import { readBounds, readEntries, readRows, type WireRow } from "../shape/change-log.ts";
import { SHAPES } from "../shape/shapes.ts";
import type { LogRead, Positioned } from "./feed.ts";
import type { EndpointInterest } from "./webhook-wake.ts";

/**
 * The hub's reads of Postgres: one organization's workspace change log (with the rows it names, as
 * they are now) and event log, after a position. Each answers in the feed's terms (`LogRead`).
 */

const workspaces = SHAPES.workspaces;

export interface ShapeItem {
  position: LogPosition;
  rowId: string;
  operation: "insert" | "update" | "delete";
}

export interface EventItem {
  position: LogPosition;
  event: Event;
}

/** A read as the hub takes it: the feed's part, and whether committed items wait to become final. */
export interface HubRead<T extends Positioned> extends LogRead<T> {
  /** See `EntriesRead.pending`: read again soon. */
  pending: boolean;
}

export async function readShapeLog(
  db: Database,
  organizationId: string,
  after: LogPosition,
  limit: number,
): Promise<HubRead<ShapeItem>> {
  const { entries, upTo, pending } = await readEntries(db, workspaces, organizationId, after, limit);
  return { after, upTo, items: entries, complete: entries.length < limit, pending };
}

/** Whether a client's position is one this log can still serve (see `readBounds`). */
export async function shapePositionValid(db: Database, position: LogPosition): Promise<boolean> {
  const bounds = await readBounds(db);
  return comparePositions(position, bounds.horizon) >= 0 && position.txid <= bounds.nextTxid;
}

/** The rows (of the organization) with these ids as they are now; null for one that is gone. */
export async function readShapeRows(
  db: Database,
  organizationId: string,
  ids: string[],
): Promise<Map<string, WireRow | null>> {
  const found = await readRows(db, workspaces, organizationId, ids);
  return new Map(ids.map((id) => [id, found.get(id) ?? null]));
}

export async function readEventLog(
  db: Database,
  organizationId: string,
  after: LogPosition,
  limit: number,
  filter: EventFilter = {},
): Promise<HubRead<EventItem>> {
  const { events, upTo, pending } = await readEventsAfter(db, organizationId, after, limit, filter);
  const items = events.map((event) => ({ position: parsePosition(event.cursor), event }));
  return { after, upTo, items, complete: items.length < limit, pending };
}

export async function readWebhookInterests(
  db: Database,
  organizationId: string,
): Promise<EndpointInterest[]> {
  const w = schema.webhookEndpoints;
  return db
    .select({ id: w.id, eventTypes: w.eventTypes })
    .from(w)
    .where(and(eq(w.organizationId, organizationId), eq(w.status, "enabled")));
}
