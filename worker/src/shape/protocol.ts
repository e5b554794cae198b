/**
 * The parts of Electric's Shape HTTP protocol (as `@electric-sql/client` 1.5 speaks it) that both
 * sources need: header names, the query parameters a proxy may forward, and message shapes.
 * The worker does not depend on the client package; a test checks this list against it.
 */

export const HEADER = {
  handle: "electric-handle",
  offset: "electric-offset",
  schema: "electric-schema",
  cursor: "electric-cursor",
  upToDate: "electric-up-to-date",
} as const;

/** Query parameters that belong to the protocol itself (the client's ELECTRIC_PROTOCOL_QUERY_PARAMS). */
export const PROTOCOL_QUERY_PARAMS = [
  "live",
  "live_sse",
  "experimental_live_sse",
  "handle",
  "offset",
  "cursor",
  "expired_handle",
  "log",
  "subset__where",
  "subset__limit",
  "subset__offset",
  "subset__order_by",
  "subset__params",
  "subset__where_expr",
  "subset__order_by_expr",
  "cache-buster",
] as const;

/**
 * The protocol parameters the desktop's ShapeStream sends (long-polling, no SSE, no subset
 * snapshots): all a proxy forwards to Electric. Subsets and SSE are refused by name instead.
 */
export const FORWARDED_QUERY_PARAMS = [
  "offset",
  "handle",
  "live",
  "cursor",
  "expired_handle",
  "log",
  "cache-buster",
] as const satisfies readonly (typeof PROTOCOL_QUERY_PARAMS)[number][];

/** Row values travel as Postgres text (or null); the client parses them by `electric-schema`. */
export type WireValue = string | null;

export interface ChangeMessage {
  headers: { operation: "insert" | "update" | "delete"; relation: [string, string] };
  key: string;
  value: Record<string, WireValue>;
}

export interface ControlMessage {
  headers: { control: "up-to-date" | "must-refetch" };
}

export type ShapeMessage = ChangeMessage | ControlMessage;

export const upToDate: ControlMessage = { headers: { control: "up-to-date" } };
export const mustRefetch: ControlMessage = { headers: { control: "must-refetch" } };

/** Column types as `electric-schema` describes them. */
export interface ColumnSchema {
  type: string;
  not_null?: boolean;
  pk_index?: number;
}

/**
 * The live cursor: an opaque value that changes between live responses so that successive live
 * URLs differ (caches). Seconds since the epoch, never equal to the one the client sent.
 */
export function nextCursor(requestCursor: string | undefined, now: Date): string {
  const seconds = Math.floor(now.getTime() / 1000);
  return String(requestCursor === String(seconds) ? seconds + 1 : seconds);
}
