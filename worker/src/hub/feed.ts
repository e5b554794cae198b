import { comparePositions, type LogPosition } from "../domain/log-position.ts";

/**
 * What an organization's hub knows of one change log (the workspaces' `shape_log`, or `events`):
 * every item of the organization whose position lies in `(floor, head]`, oldest first. Pure: the hub
 * reads Postgres and hands the reads here; waiters are answered from here without a query.
 *
 * Coverage only grows by reads that touch it (so it stays one interval without holes) and shrinks
 * from below when it holds more than `capacity` items. A read that found nothing still extends it:
 * an idle client's old offset is checked once, then served from memory.
 */
export interface Positioned {
  position: LogPosition;
}

/** A read of the log: every item in `(after, upTo]` when `complete`; else the first ones after `after`. */
export interface LogRead<T extends Positioned> {
  after: LogPosition;
  /** `{txid: xmin, seq: 0}` of the read: every item below it was final and is in `items`. */
  upTo: LogPosition;
  items: T[];
  /** False when the read hit its limit: then only `(after, last item]` is covered. */
  complete: boolean;
}

export type Coverage = "covered" | "below" | "above";

const max = (a: LogPosition, b: LogPosition) => (comparePositions(a, b) >= 0 ? a : b);

export class Feed<T extends Positioned> {
  private floor: LogPosition | null = null;
  private head: LogPosition | null = null;
  private items: T[] = [];

  constructor(private readonly capacity: number) {}

  /** Where `position` lies against what is known; "below" too when nothing is known yet. */
  coverage(position: LogPosition): Coverage {
    if (this.floor === null || this.head === null) return "below";
    if (comparePositions(position, this.floor) < 0) return "below";
    if (comparePositions(position, this.head) > 0) return "above";
    return "covered";
  }

  /** The head, for the next refresh to read after; null until the first read. */
  get known(): LogPosition | null {
    return this.head;
  }

  /** Items after `position` (which must be covered) that `match`, oldest first, at most `limit`. */
  after(position: LogPosition, limit: number, match: (item: T) => boolean = () => true): T[] {
    const out: T[] = [];
    for (const item of this.items) {
      if (comparePositions(item.position, position) <= 0 || !match(item)) continue;
      out.push(item);
      if (out.length >= limit) break;
    }
    return out;
  }

  /**
   * Takes in a read. It joins the coverage when it touches it (starts at or below the head and
   * ends at or above the floor); a read that cannot join (nothing known yet, or a truncated read
   * far below) replaces the coverage only when nothing is known. Returns the items it added.
   */
  apply(read: LogRead<T>): T[] {
    const end = read.complete ? read.upTo : (read.items.at(-1)?.position ?? read.after);
    if (this.floor === null || this.head === null) {
      this.floor = read.after;
      this.head = end;
      this.items = [...read.items];
      return this.trimmed(read.items);
    }
    const touches = comparePositions(read.after, this.head) <= 0 && comparePositions(end, this.floor) >= 0;
    if (!touches) return [];
    const known = new Set(this.items.map((i) => key(i.position)));
    const added = read.items.filter((i) => !known.has(key(i.position)));
    this.items = [...this.items, ...added].sort((a, b) => comparePositions(a.position, b.position));
    if (comparePositions(read.after, this.floor) < 0) this.floor = read.after;
    this.head = max(this.head, end);
    return this.trimmed(added);
  }

  /** Forgets everything (the next waiter starts from a fresh read). */
  reset() {
    this.floor = null;
    this.head = null;
    this.items = [];
  }

  /** All items held, for the hub's row cache to know which rows are still referenced. */
  held(): readonly T[] {
    return this.items;
  }

  private trimmed(added: T[]): T[] {
    const excess = this.items.length - this.capacity;
    if (excess > 0) {
      this.floor = this.items[excess - 1]!.position;
      this.items = this.items.slice(excess);
    }
    return added;
  }
}

const key = (p: LogPosition) => `${p.txid}_${p.seq}`;
