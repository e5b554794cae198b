import type { Database } from "@cw/db";
import {
  currentPosition,
  type LogEntry,
  readBounds,
  readEntries,
  readRows,
  readSnapshot,
} from "./change-log.ts";
import { handleMatches, newHandle } from "./handles.ts";
import { comparePositions, formatOffset, type LogPosition, parseOffset } from "./log-position.ts";
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
 * for installs without an Electric service. Snapshot on `offset=-1`, changes after an offset, and
 * long-polling on `live=true` that answers as soon as a change is final, else after `longPollMs`.
 */
export interface BuiltinSourceOptions {
  db: Database;
  now: () => Date;
  longPollMs: number;
  pollMs: number;
  /** Log entries per response; more are fetched at once by the client (no up-to-date yet). */
  batchLimit: number;
  signal?: AbortSignal;
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

  // The handle must be one we minted for this shape and organization, and every entry after the
  // client's position must still be in the log; otherwise the client starts over.
  const handle = req.handle ?? "";
  const bounds = await readBounds(opts.db);
  if (
    !(await handleMatches(handle, shape, organizationId)) ||
    comparePositions(offset.position, bounds.horizon) < 0 ||
    offset.position.txid > bounds.nextTxid
  ) {
    return refetch(await newHandle(shape, organizationId, opts.now()));
  }

  const deadline = Date.now() + (req.live ? opts.longPollMs : 0);
  let entries = await readEntries(opts.db, shape, organizationId, offset.position, opts.batchLimit + 1);
  while (entries.length === 0 && Date.now() < deadline && !opts.signal?.aborted) {
    await sleep(Math.min(opts.pollMs, deadline - Date.now()));
    entries = await readEntries(opts.db, shape, organizationId, offset.position, opts.batchLimit + 1);
  }
  const complete = entries.length <= opts.batchLimit;
  const batch = entries.slice(0, opts.batchLimit);
  return respond(req, {
    handle,
    position: batch.at(-1)?.position ?? offset.position,
    messages: await changesFor(opts.db, shape, organizationId, batch),
    complete,
    now: opts.now(),
  });
}

/**
 * One message per changed row, carrying the row as it is now (or a delete if it is gone or no longer
 * the organization's). "insert" when the batch saw the row appear, else "update" with every column.
 */
async function changesFor(
  db: Database,
  shape: ShapeDefinition,
  organizationId: string,
  entries: LogEntry[],
): Promise<ChangeMessage[]> {
  const firstOp = new Map<string, LogEntry["operation"]>();
  for (const e of entries) if (!firstOp.has(e.rowId)) firstOp.set(e.rowId, e.operation);
  // Ordered by each row's last entry, so the stream reads like the log.
  const order = [...new Set(entries.map((e) => e.rowId).reverse())].reverse();
  const current = await readRows(db, shape, organizationId, order);
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

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
