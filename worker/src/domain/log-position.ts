/**
 * A position `(txid, seq)` in a change log (`shape_log`, `events`), written `<txid>_<seq>`: the
 * offsets of the built-in shape source and the cursors of events
 * (the same two-number form as Electric's `<lsn>_<op>`, so the client needs nothing special).
 * Entries are read in `(txid, seq)` order; see db/src/schema/shape-log.ts for why.
 */
export interface LogPosition {
  txid: bigint;
  seq: bigint;
}

export type RequestedOffset =
  | { kind: "initial" }
  | { kind: "now" }
  | { kind: "position"; position: LogPosition };

export const OFFSET_PATTERN = /^(-1|now|\d{1,19}_\d{1,19})$/;

/** Postgres' bigint: positions beyond it cannot exist, and must not reach a query. */
const INT8_MAX = 2n ** 63n - 1n;

/** Whether a `<txid>_<seq>` offset names a position Postgres can hold (anything else is judged elsewhere). */
export const offsetInRange = (offset: string) =>
  !/^\d+_\d+$/.test(offset) || offset.split("_").every((n) => BigInt(n) <= INT8_MAX);

/** Parses a protocol offset that already matched OFFSET_PATTERN. */
export function parseOffset(offset: string): RequestedOffset {
  if (offset === "-1") return { kind: "initial" };
  if (offset === "now") return { kind: "now" };
  return { kind: "position", position: parsePosition(offset) };
}

/** A `<txid>_<seq>` text (already checked against its pattern) as a position. */
export function parsePosition(text: string): LogPosition {
  const [txid, seq] = text.split("_");
  return { txid: BigInt(txid!), seq: BigInt(seq!) };
}

export const formatOffset = (p: LogPosition) => `${p.txid}_${p.seq}`;

export function comparePositions(a: LogPosition, b: LogPosition): number {
  if (a.txid !== b.txid) return a.txid < b.txid ? -1 : 1;
  if (a.seq !== b.seq) return a.seq < b.seq ? -1 : 1;
  return 0;
}
