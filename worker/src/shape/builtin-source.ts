import type { Database } from "@cw/db";
import { comparePositions, formatOffset, type LogPosition, parseOffset } from "../domain/log-position.ts";
import type { HubStub } from "../hub/directory.ts";
import type { DbSource } from "../hub/organization-hub.ts";
import {
  currentPosition,
  type LogEntry,
  readBounds,
  readEntries,
  readRows,
  readSnapshot,
  type WireRow,
} from "./change-log.ts";
import { handleMatches, newHandle } from "./handles.ts";
import {
  type ChangeMessage,
  HEADER,
  mustRefetch,
  nextCursor,
  type ShapeMessage,
  upToDate,
} from "./protocol.ts";
import type { ShapeRequest } from "./request.ts";
import { rowKey, type ShapeDefinition } from "./shapes.ts";

/**
 * The built-in shape source: Electric's protocol served from Postgres (the `shape_log` change log),
 * for installs without an Electric service. Snapshot on `offset=-1` and changes after an offset
 * are read here; long-polls (`live=true`) wait on the organization's hub, which answers as soon as
 * a change is final, else after `longPollMs`, without a query per waiting client.
 */
export interface BuiltinSourceOptions {
  db: Database;
  now: () => Date;
  /** The organization's hub and the database it should read (this worker's). */
  hub: HubStub;
  source: DbSource;
  longPollMs: number;
  /** How soon the hub finds a change nobody told it about (its safety poll). */
  pollMs: number;
  /** Log entries per response; more are fetched at once by the client (no up-to-date yet). */
  batchLimit: number;
}

export async function serveBuiltin(req: ShapeRequest, opts: BuiltinSourceOptions): Promise<Response> {
  const { shape, organizationId } = req;
  const offset = parseOffset(req.offset);

  if (offset.kind !== "position") {
    const handle =
      req.handle && (await handleMatches(req.handle, shape, organizationId))
        ? req.handle
        : await newHandle(shape, organizationId, opts.now());
    if (offset.kind === "now" || req.log === "changes_only") {
      const position = await currentPosition(opts.db);
      return respond(req, { handle, position, messages: [], complete: true, now: opts.now() });
    }
    const snapshot = await readSnapshot(opts.db, shape, organizationId);
    const messages = snapshot.rows.map((value) => change(shape, "insert", value));
    return respond(req, { handle, position: snapshot.position, messages, complete: true, now: opts.now() });
  }

  // The handle must be one we minted for this shape and organization; otherwise the client starts over.
  const handle = req.handle ?? "";
  if (!(await handleMatches(handle, shape, organizationId)))
    return refetch(await newHandle(shape, organizationId, opts.now()));

  if (req.live) {
    const answer = await opts.hub.waitShape({
      source: opts.source,
      organizationId,
      after: offset.position,
      timeoutMs: opts.longPollMs,
      pollMs: opts.pollMs,
      limit: opts.batchLimit + 1,
    });
    if (answer.kind === "refetch") return refetch(await newHandle(shape, organizationId, opts.now()));
    const entries = answer.kind === "entries" ? answer.entries : [];
    const rows = answer.kind === "entries" ? new Map(Object.entries(answer.rows)) : new Map();
    return respondWith(req, handle, offset.position, entries, rows, opts);
  }

  // Every entry after the client's position must still be in the log, and the position must be
  // this database's; otherwise the client starts over.
  const bounds = await readBounds(opts.db);
  if (comparePositions(offset.position, bounds.horizon) < 0 || offset.position.txid > bounds.nextTxid)
    return refetch(await newHandle(shape, organizationId, opts.now()));
  const { entries } = await readEntries(opts.db, shape, organizationId, offset.position, opts.batchLimit + 1);
  const ids = [...new Set(entries.slice(0, opts.batchLimit).map((e) => e.rowId))];
  const rows = await readRows(opts.db, shape, organizationId, ids);
  return respondWith(req, handle, offset.position, entries, rows, opts);
}

/** The answer to a request at `from`: the entries (one more than a batch means "not complete"). */
function respondWith(
  req: ShapeRequest,
  handle: string,
  from: LogPosition,
  entries: LogEntry[],
  rows: Map<string, WireRow | null>,
  opts: BuiltinSourceOptions,
): Response {
  const complete = entries.length <= opts.batchLimit;
  const batch = entries.slice(0, opts.batchLimit);
  return respond(req, {
    handle,
    position: batch.at(-1)?.position ?? from,
    messages: changesFor(req.shape, batch, rows),
    complete,
    now: opts.now(),
  });
}

/**
 * One message per changed row, carrying the row as it is now (`rows`: read after the entries; a
 * delete if it is gone or no longer the organization's). "insert" when the batch saw the row
 * appear, else "update" with every column.
 */
function changesFor(
  shape: ShapeDefinition,
  entries: LogEntry[],
  current: Map<string, WireRow | null>,
): ChangeMessage[] {
  const firstOp = new Map<string, LogEntry["operation"]>();
  for (const e of entries) if (!firstOp.has(e.rowId)) firstOp.set(e.rowId, e.operation);
  // Ordered by each row's last entry, so the stream reads like the log.
  const order = [...new Set(entries.map((e) => e.rowId).reverse())].reverse();
  return order.map((id) => {
    const row = current.get(id);
    if (!row) return change(shape, "delete", { id });
    return change(shape, firstOp.get(id) === "insert" ? "insert" : "update", row);
  });
}

function change(
  shape: ShapeDefinition,
  operation: ChangeMessage["headers"]["operation"],
  value: ChangeMessage["value"],
): ChangeMessage {
  return {
    headers: { operation, relation: ["public", shape.table] },
    key: rowKey(shape, String(value.id)),
    value,
  };
}

function respond(
  req: ShapeRequest,
  out: { handle: string; position: LogPosition; messages: ShapeMessage[]; complete: boolean; now: Date },
): Response {
  const headers = new Headers({
    "content-type": "application/json",
    [HEADER.handle]: out.handle,
    [HEADER.offset]: formatOffset(out.position),
  });
  if (out.complete) headers.set(HEADER.upToDate, "true");
  if (req.live) {
    headers.set(HEADER.cursor, nextCursor(req.cursor, out.now));
    // Per-user data: never in a shared cache. Successive live URLs differ (cursor, offset).
    headers.set("cache-control", "private, max-age=5, stale-while-revalidate=5");
  } else {
    headers.set(HEADER.schema, JSON.stringify(req.shape.columns));
    // What follows an offset grows as the log does: revalidate every time.
    headers.set("cache-control", "private, no-cache");
  }
  const body = out.complete ? [...out.messages, upToDate] : out.messages;
  return new Response(JSON.stringify(body), { status: 200, headers });
}

function refetch(handle: string): Response {
  return new Response(JSON.stringify([mustRefetch]), {
    status: 409,
    headers: { "content-type": "application/json", [HEADER.handle]: handle, "cache-control": "no-store" },
  });
}
