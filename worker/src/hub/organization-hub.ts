import { DurableObject } from "cloudflare:workers";
import type { Event } from "@cw/contracts";
import { createDb, type Database } from "@cw/db";
import type { LogPosition } from "../domain/log-position.ts";
import { errorSummary, logError } from "../safe-log.ts";
import type { EventFilter } from "../services/event-log.ts";
import { currentPosition, type WireRow } from "../shape/change-log.ts";
import { webhookDirectory } from "../webhooks/directory.ts";
import { Feed } from "./feed.ts";
import {
  type EventItem,
  readEventLog,
  readShapeLog,
  readShapeRows,
  readWebhookInterests,
  type ShapeItem,
  shapePositionValid,
} from "./reads.ts";
import { WebhookWake } from "./webhook-wake.ts";

/**
 * One per organization (named by its id): what every long-poll, event stream and `waitFor` of the
 * organization waits on, so that none of them asks Postgres once per waiting client. Writers tell it
 * after their transaction commits (`notify`); it then reads the organization's change log and event
 * log once and answers every waiter from memory. A safety poll (the shortest `pollMs` among the
 * waiters) finds what nobody told it about, and runs only while someone waits. A read that finds
 * committed changes not yet final (an older transaction, anywhere on the server, still runs: see
 * `EntriesRead.pending`) is repeated soon after (`PENDING_RETRY_MS`, backing off).
 *
 * It also wakes webhook delivery: each refresh that reads new events wakes the delivery objects of
 * the organization's endpoints that want them (`WebhookWake`), so while the organization has
 * endpoints a notice is read at once (and not-yet-final changes read again) even with nobody waiting.
 *
 * Its memory (`Feed`s and the rows they name) is a cache: an evicted hub starts empty and checks
 * each waiter's position once. Callers pass the database they use (`DbSource`): it is the worker's
 * own configuration, never a client's.
 */
export interface DbSource {
  DATABASE_URL: string;
  DATABASE_WS_PROXY?: string;
}

interface WaitCommon {
  source: DbSource;
  organizationId: string;
  timeoutMs: number;
  /** How soon, at the latest, a change nobody announced should be found. */
  pollMs: number;
  limit: number;
}

export interface ShapeWait extends WaitCommon {
  after: LogPosition;
  /** Only entries of this row (a `waitFor` on one workspace). */
  rowId?: string;
}

export type ShapeAnswer =
  | { kind: "entries"; entries: ShapeItem[]; rows: Record<string, WireRow | null> }
  | { kind: "timeout" }
  /** The position is not one this log can serve (compacted away, or from another database). */
  | { kind: "refetch" };

export interface EventsWait extends WaitCommon {
  after: LogPosition;
  filter: EventFilter;
}

/** `position`: where the next wait continues (past events that did not match the filter too). */
export type EventsAnswer =
  | { kind: "events"; events: Event[]; position: LogPosition }
  | { kind: "timeout"; position: LogPosition };

/** What a writer's notice says besides "something committed". */
export interface HubChange {
  /** A webhook endpoint was added, deleted or disabled: the hub's list of them is stale. */
  endpoints?: boolean;
}

/** Items kept per log; an older position is checked against Postgres again (once per client). */
const FEED_CAPACITY = 5_000;

/**
 * The first re-read after committed changes were found not yet final; it doubles while they stay
 * so, up to `PENDING_RETRY_MAX_MS` (or the safety poll, if shorter): a change waits at most about
 * that long after the transaction holding it back ends, and a transaction left open for long costs
 * one read per that interval, only while changes wait behind it and someone waits for them.
 */
const PENDING_RETRY_MS = 25;
const PENDING_RETRY_MAX_MS = 1_000;

interface Waiter {
  pollMs: number;
  /** Tries to answer from the feeds; true when it did (the waiter is then done). */
  tryAnswer(): boolean;
  timer: ReturnType<typeof setTimeout>;
}

export class OrganizationHub extends DurableObject<Env> {
  private source: DbSource | null = null;
  private organizationId: string | null = null;
  private readonly shape = new Feed<ShapeItem>(FEED_CAPACITY);
  private readonly events = new Feed<EventItem>(FEED_CAPACITY);
  private readonly rows = new Map<string, WireRow | null>();
  private readonly waiters = new Set<Waiter>();
  private refreshing: Promise<void> | null = null;
  private refreshAgain = false;
  private lastRefreshAt = 0;
  /** Set while the last read found changes that are not final yet: how soon to read again. */
  private pendingRetryMs: number | null = null;
  private poll: ReturnType<typeof setTimeout> | null = null;
  private readonly webhooks = new WebhookWake(
    () => this.withDb((db) => readWebhookInterests(db, this.organizationId!)),
    (endpointId) => webhookDirectory(this.env)(endpointId).poke(endpointId),
  );

  /** A writer's transaction committed: read what changed and answer whoever waits for it. */
  async notify(source: DbSource, organizationId: string, change: HubChange = {}): Promise<void> {
    this.adopt(source, organizationId);
    if (change.endpoints) this.webhooks.forget();
    // Nobody waits, nothing is being read and no endpoint wants events: the next waiter reads first
    // (the feeds are stale from now on). A read under way may have started before this commit: it
    // reads once more after.
    if (this.waiters.size === 0 && this.refreshing === null && !(await this.webhooks.any())) {
      this.lastRefreshAt = 0;
      return;
    }
    void this.refresh().catch((err) => logError("hub refresh after a notification failed:", err));
  }

  /** Entries of the workspaces' change log after `after`, as soon as there are any. */
  async waitShape(req: ShapeWait): Promise<ShapeAnswer> {
    this.adopt(req.source, req.organizationId);
    await this.refreshIfStale(req.pollMs);
    const match = req.rowId ? (item: ShapeItem) => item.rowId === req.rowId : undefined;
    const answer = (entries: ShapeItem[]): ShapeAnswer => ({
      kind: "entries",
      entries,
      rows: Object.fromEntries(entries.map((e) => [e.rowId, this.rows.get(e.rowId) ?? null])),
    });

    let coverage = this.shape.coverage(req.after);
    if (coverage === "above") {
      await this.refresh();
      coverage = this.shape.coverage(req.after);
      if (coverage === "above") return { kind: "refetch" };
    }
    if (coverage === "below") {
      const read = await this.withDb((db) => this.checkShapePosition(db, req));
      if (read === "refetch") return { kind: "refetch" };
      // A backlog too long to join what the hub holds: answered straight from the read.
      if (this.shape.coverage(req.after) !== "covered") return read;
    }
    const ready = this.shape.after(req.after, req.limit, match);
    if (ready.length > 0) return answer(ready);
    return this.park<ShapeAnswer>(req, { kind: "timeout" }, () => {
      const entries = this.shape.after(req.after, req.limit, match);
      return entries.length > 0 ? answer(entries) : null;
    });
  }

  /** Where the event log stands now: "from now on" for a stream that names no position. */
  async eventsHead(req: Pick<WaitCommon, "source" | "organizationId" | "pollMs">): Promise<LogPosition> {
    this.adopt(req.source, req.organizationId);
    await this.refreshIfStale(req.pollMs);
    return this.events.known!;
  }

  /** Events after `after` that match the filter, as soon as there are any. */
  async waitEvents(req: EventsWait): Promise<EventsAnswer> {
    this.adopt(req.source, req.organizationId);
    await this.refreshIfStale(req.pollMs);
    let after = req.after;
    if (this.events.coverage(after) === "above") {
      await this.refresh();
      // A cursor beyond the log (another database, or made up): continue from now.
      if (this.events.coverage(after) === "above") after = this.events.known!;
    }
    if (this.events.coverage(after) === "below") {
      const read = await this.withDb((db) => readEventLog(db, req.organizationId, after, req.limit));
      // Events this read adds may be new to the hub too: wake for them (an old one wakes in vain).
      void this.webhooks.wake(this.events.apply(read).map((i) => i.event));
      if (this.events.coverage(after) !== "covered") {
        const events = read.items.filter((i) => matches(i.event, req.filter)).map((i) => i.event);
        return { kind: "events", events, position: read.items.at(-1)?.position ?? after };
      }
    }
    const take = (): EventsAnswer | null => {
      const items = this.events.after(after, req.limit, (i) => matches(i.event, req.filter));
      if (items.length > 0)
        return { kind: "events", events: items.map((i) => i.event), position: items.at(-1)!.position };
      return null;
    };
    const ready = take();
    if (ready) return ready;
    // Nothing matching up to the head: the wait may continue from there.
    const head = this.events.known!;
    return this.park<EventsAnswer>(req, { kind: "timeout", position: head }, take);
  }

  private adopt(source: DbSource, organizationId: string) {
    if (this.organizationId !== null && this.organizationId !== organizationId)
      throw new Error("hub called for another organization");
    this.organizationId = organizationId;
    this.source = source;
  }

  /** Waits for `take` to answer, re-tried after every refresh, or answers `onTimeout` after the timeout. */
  private park<A>(req: WaitCommon, onTimeout: A, take: () => A | null): Promise<A> {
    return new Promise<A>((resolve) => {
      const waiter: Waiter = {
        pollMs: req.pollMs,
        tryAnswer: () => {
          const answer = take();
          if (answer === null) return false;
          clearTimeout(waiter.timer);
          resolve(answer);
          return true;
        },
        timer: setTimeout(() => {
          this.waiters.delete(waiter);
          resolve(onTimeout);
        }, req.timeoutMs),
      };
      this.waiters.add(waiter);
      this.schedulePoll();
    });
  }

  /**
   * A client's position below what the hub holds (or anything, right after a start): checked once
   * against Postgres. The entries after it join the feed when they reach it (the usual case: none).
   */
  private async checkShapePosition(
    db: Database,
    req: ShapeWait,
  ): Promise<"refetch" | { kind: "entries"; entries: ShapeItem[]; rows: Record<string, WireRow | null> }> {
    if (!(await shapePositionValid(db, req.after))) return "refetch";
    const read = await readShapeLog(db, req.organizationId, req.after, req.limit);
    const rows = await readShapeRows(db, req.organizationId, [...new Set(read.items.map((i) => i.rowId))]);
    for (const [id, row] of rows) this.rows.set(id, row);
    this.shape.apply(read);
    const entries = req.rowId ? read.items.filter((i) => i.rowId === req.rowId) : read.items;
    return { kind: "entries", entries, rows: Object.fromEntries(rows) };
  }

  /**
   * Reads unless the last read is recent enough for `pollMs`. A read under way is recent enough:
   * joining it (rather than asking for one more after it) keeps the reads per poll at one however
   * many clients renew their long-poll meanwhile.
   */
  private async refreshIfStale(pollMs: number) {
    if (this.refreshing) return this.refreshing;
    const freshFor = Math.min(pollMs, this.pendingRetryMs ?? pollMs);
    if (
      this.shape.known === null ||
      this.events.known === null ||
      Date.now() - this.lastRefreshAt >= freshFor
    )
      await this.refresh();
  }

  /** One read of both logs after what the hub holds; concurrent calls share it (and ask for one more). */
  private refresh(): Promise<void> {
    if (this.refreshing) {
      this.refreshAgain = true;
      return this.refreshing;
    }
    this.refreshing = (async () => {
      try {
        do {
          this.refreshAgain = false;
          const { more, pending } = await this.withDb((db) => this.readChanges(db));
          this.lastRefreshAt = Date.now();
          if (more) this.refreshAgain = true;
          this.pendingRetryMs = pending
            ? Math.min(PENDING_RETRY_MAX_MS, (this.pendingRetryMs ?? PENDING_RETRY_MS / 2) * 2)
            : null;
          for (const waiter of [...this.waiters]) if (waiter.tryAnswer()) this.waiters.delete(waiter);
        } while (this.refreshAgain);
      } finally {
        this.refreshing = null;
        this.schedulePoll();
      }
    })();
    return this.refreshing;
  }

  /** Reads both logs after their heads: `more` when a read hit its limit (read again at once). */
  private async readChanges(db: Database): Promise<{ more: boolean; pending: boolean }> {
    const organizationId = this.organizationId!;
    const shapeHead = this.shape.known;
    const eventsHead = this.events.known;
    if (shapeHead === null || eventsHead === null) {
      // Nothing known yet: both start at the current position; older ones are checked per waiter.
      const now = await currentPosition(db);
      if (shapeHead === null) this.shape.apply({ after: now, upTo: now, items: [], complete: true });
      if (eventsHead === null) this.events.apply({ after: now, upTo: now, items: [], complete: true });
      // What committed before this start was never seen: every endpoint checks its own cursor.
      void this.webhooks.wake("all");
      return { more: false, pending: false };
    }
    const shapeRead = await readShapeLog(db, organizationId, shapeHead, FEED_CAPACITY);
    if (shapeRead.items.length > 0) {
      const ids = [...new Set(shapeRead.items.map((i) => i.rowId))];
      for (const [id, row] of await readShapeRows(db, organizationId, ids)) this.rows.set(id, row);
    }
    this.shape.apply(shapeRead);
    this.forgetUnreferencedRows();
    const eventsRead = await readEventLog(db, organizationId, eventsHead, FEED_CAPACITY);
    void this.webhooks.wake(this.events.apply(eventsRead).map((i) => i.event));
    return {
      more: !shapeRead.complete || !eventsRead.complete,
      pending: shapeRead.pending || eventsRead.pending,
    };
  }

  private forgetUnreferencedRows() {
    if (this.rows.size <= 2 * FEED_CAPACITY) return;
    const referenced = new Set(this.shape.held().map((i) => i.rowId));
    for (const id of this.rows.keys()) if (!referenced.has(id)) this.rows.delete(id);
  }

  /**
   * The safety poll: while anyone waits, read again at the shortest interval any of them asked for,
   * or sooner while changes wait to become final — then also for webhook endpoints, which have no
   * other way to hear of a change its notice came too early for.
   */
  private schedulePoll() {
    if (this.poll !== null) clearTimeout(this.poll);
    this.poll = null;
    if (this.waiters.size === 0 && !(this.pendingRetryMs !== null && this.webhooks.hasEndpoints)) return;
    let every = this.pendingRetryMs ?? Number.POSITIVE_INFINITY;
    for (const w of this.waiters) every = Math.min(every, w.pollMs);
    const due = Math.max(0, this.lastRefreshAt + every - Date.now());
    this.poll = setTimeout(() => {
      this.poll = null;
      // A read under way, or one a renewing client just asked for, counts as this poll's.
      this.refreshIfStale(every)
        .then(() => {
          if (this.poll === null && this.refreshing === null) this.schedulePoll();
        })
        .catch((err) => logError("hub safety poll failed:", err));
    }, due);
  }

  /**
   * A failed read is rethrown as its summary only: what an RPC method throws reaches the caller and
   * the runtime's own log as it is, and a query's error carries the SQL and its parameters.
   */
  private async withDb<T>(work: (db: Database) => Promise<T>): Promise<T> {
    const handle = createDb(this.source!);
    try {
      return await work(handle.db);
    } catch (err) {
      throw new Error(`the organization hub's read failed: ${errorSummary(err)}`);
    } finally {
      await handle.close();
    }
  }
}

function matches(event: Event, filter: EventFilter): boolean {
  if (filter.types?.length && !filter.types.includes(event.type)) return false;
  if (filter.workspaceId && event.workspaceId !== filter.workspaceId) return false;
  return true;
}
