import { WEBHOOK_TEST_TYPE } from "@cw/contracts";
import { schema } from "@cw/db";
import { and, eq, inArray, isNull, lt, lte, min, or, sql } from "drizzle-orm";
import { systemActor } from "../domain/events.ts";
import { comparePositions, type LogPosition, parsePosition } from "../domain/log-position.ts";
import { open, SealedUnreadable } from "../domain/secret-box.ts";
import {
  type AttemptOutcome,
  afterAttempt,
  describeOutcome,
  disabledReason,
  endpointFailedThroughout,
  eventBody,
  eventFilterOf,
} from "../domain/webhook-delivery.ts";
import { webhookHeaders } from "../domain/webhook-signature.ts";
import { logError } from "../safe-log.ts";
import { type Deps, notifyChange } from "./deps.ts";
import { readEventsAfter, recordEvents } from "./event-log.ts";
import { ResolverUnavailable } from "./repository-url-check.ts";
import { sealedOf } from "./reseal.ts";
import { checkWebhookUrl } from "./webhook-url-check.ts";
import { type EndpointRow, endpointEvent, secretContextOf } from "./webhooks.ts";

/**
 * One run of an endpoint's deliveries, as its delivery object (or a test, with `deps.now`) calls
 * it: queue the organization's new events the endpoint wants (each once: the rows and the
 * endpoint's cursor move in one transaction), then send what is due, a batch at a time, and record
 * each attempt. Decisions (retry when, give up, disable) are `domain/webhook-delivery.ts`'s.
 *
 * At least once: a delivery is claimed by pushing its `next_attempt_at` past the run's longest
 * possible duration before it is sent, so a run that dies leaves it due again after that lease.
 */
const endpoints = schema.webhookEndpoints;
const deliveries = schema.webhookDeliveries;
type DeliveryRow = typeof deliveries.$inferSelect;

const QUEUE_BATCH = 100;
const QUEUE_READS_PER_RUN = 10;
const SEND_BATCH = 20;
const SEND_CONCURRENCY = 4;
const LEASE_MARGIN_MS = 60_000;
const USER_AGENT = "cloud-workspaces-webhooks/1";

export interface EndpointRun {
  /** The endpoint no longer exists: its object can forget it. */
  gone: boolean;
  /** When the earliest pending delivery is due (or its claim expires); null when none is pending. */
  nextRunAt: Date | null;
}

export async function runWebhookEndpoint(deps: Deps, endpointId: string): Promise<EndpointRun> {
  const [endpoint] = await deps.db.select().from(endpoints).where(eq(endpoints.id, endpointId));
  if (!endpoint) return { gone: true, nextRunAt: null };
  if (endpoint.status === "enabled") await queueNewEvents(deps, endpoint);
  await sendDue(deps, endpoint);
  const [due] = await deps.db
    .select({ at: min(deliveries.nextAttemptAt) })
    .from(deliveries)
    .where(and(eq(deliveries.endpointId, endpointId), eq(deliveries.status, "pending")));
  return { gone: false, nextRunAt: due?.at ?? null };
}

const positionOf = (row: EndpointRow): LogPosition => ({ txid: row.cursorTxid, seq: row.cursorSeq });

/**
 * The organization's events after the endpoint's cursor that it wants, as pending deliveries. The
 * cursor moves past events it does not want too (the read saw everything below `upTo`).
 */
async function queueNewEvents(deps: Deps, endpoint: EndpointRow) {
  let after = positionOf(endpoint);
  for (let read = 0; read < QUEUE_READS_PER_RUN; read++) {
    const { events, upTo } = await readEventsAfter(
      deps.db,
      endpoint.organizationId,
      after,
      QUEUE_BATCH,
      eventFilterOf(endpoint.eventTypes),
    );
    const full = events.length === QUEUE_BATCH;
    const next = full
      ? parsePosition(events.at(-1)!.cursor)
      : comparePositions(upTo, after) > 0
        ? upTo
        : after;
    if (comparePositions(next, after) === 0) return;
    const now = deps.now();
    const moved = await deps.db.transaction(async (tx) => {
      // Only from where this run read: another run that moved it first queued these already.
      const [advanced] = await tx
        .update(endpoints)
        .set({ cursorTxid: next.txid, cursorSeq: next.seq })
        .where(
          and(
            eq(endpoints.id, endpoint.id),
            eq(endpoints.status, "enabled"),
            eq(endpoints.cursorTxid, after.txid),
            eq(endpoints.cursorSeq, after.seq),
          ),
        )
        .returning({ id: endpoints.id });
      if (!advanced) return false;
      if (events.length > 0)
        await tx
          .insert(deliveries)
          .values(
            events.map((event) => ({
              endpointId: endpoint.id,
              organizationId: endpoint.organizationId,
              eventId: event.id,
              eventType: event.type,
              body: eventBody(event),
              nextAttemptAt: now,
              createdAt: now,
            })),
          )
          .onConflictDoNothing();
      return true;
    });
    if (!moved || !full) return;
    after = next;
  }
}

/** Claims the due deliveries (oldest due first) by moving their next attempt past the run's end. */
async function claimDue(deps: Deps, endpointId: string, now: Date): Promise<DeliveryRow[]> {
  const leaseMs = Math.ceil(SEND_BATCH / SEND_CONCURRENCY) * deps.config.WEBHOOK_TIMEOUT_MS + LEASE_MARGIN_MS;
  const due = deps.db
    .select({ id: deliveries.id })
    .from(deliveries)
    .where(
      and(
        eq(deliveries.endpointId, endpointId),
        eq(deliveries.status, "pending"),
        lte(deliveries.nextAttemptAt, now),
      ),
    )
    .orderBy(deliveries.nextAttemptAt, deliveries.seq)
    .limit(SEND_BATCH)
    .for("update", { skipLocked: true });
  return deps.db
    .update(deliveries)
    .set({ nextAttemptAt: new Date(now.getTime() + leaseMs) })
    .where(and(inArray(deliveries.id, due), eq(deliveries.status, "pending")))
    .returning();
}

async function sendDue(deps: Deps, endpoint: EndpointRow) {
  const claimed = await claimDue(deps, endpoint.id, deps.now());
  if (claimed.length === 0) return;
  claimed.sort((a, b) => a.seq - b.seq);
  const notSent = await refusal(deps, endpoint);
  const secret = notSent ? null : await openSecret(deps, endpoint);
  let next = 0;
  const worker = async () => {
    while (next < claimed.length) {
      const delivery = claimed[next++]!;
      const at = deps.now();
      const outcome: AttemptOutcome =
        notSent ??
        (secret === null ? { kind: "unsigned" } : await send(deps, endpoint.url, secret, delivery, at));
      await recordAttempt(deps, endpoint, delivery, outcome, at);
    }
  };
  await Promise.all(Array.from({ length: Math.min(SEND_CONCURRENCY, claimed.length) }, worker));
}

/** Why nothing may be sent to the endpoint's URL now (the policy, checked again), or null. */
async function refusal(deps: Deps, endpoint: EndpointRow): Promise<AttemptOutcome | null> {
  try {
    const check = await checkWebhookUrl(deps, endpoint.url);
    return check.ok ? null : { kind: "refused", message: check.message };
  } catch (err) {
    if (err instanceof ResolverUnavailable) return { kind: "unresolved" };
    throw err;
  }
}

async function openSecret(deps: Deps, endpoint: EndpointRow): Promise<string | null> {
  try {
    return await open(deps.config.GIT_CREDENTIAL_KEYS, sealedOf(endpoint), secretContextOf(endpoint));
  } catch (err) {
    if (!(err instanceof SealedUnreadable)) throw err;
    logError(`webhook endpoint ${endpoint.id}: its signing secret cannot be opened:`, err);
    return null;
  }
}

/** One signed POST with the timeout; redirects are answers, never followed. */
async function send(
  deps: Deps,
  url: string,
  secret: string,
  delivery: DeliveryRow,
  at: Date,
): Promise<AttemptOutcome> {
  const timeoutMs = deps.config.WEBHOOK_TIMEOUT_MS;
  const headers = await webhookHeaders(secret, delivery.eventId, at, delivery.body);
  try {
    const res = await fetch(url, {
      method: "POST",
      headers: { ...headers, "user-agent": USER_AGENT },
      body: delivery.body,
      redirect: "manual",
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.body?.cancel();
    return { kind: "answered", status: res.status };
  } catch (err) {
    const name = (err as { name?: unknown } | null)?.name;
    return name === "TimeoutError" || name === "AbortError"
      ? { kind: "timeout", afterMs: timeoutMs }
      : { kind: "unreachable" };
  }
}

async function recordAttempt(
  deps: Deps,
  endpoint: EndpointRow,
  delivery: DeliveryRow,
  outcome: AttemptOutcome,
  at: Date,
) {
  const test = delivery.eventType === WEBHOOK_TEST_TYPE;
  const attempts = delivery.attempts + 1;
  const step = afterAttempt({ createdAt: delivery.createdAt, attempts, test }, outcome, at);
  const attempt = {
    attempts,
    lastAttemptAt: at,
    lastResponseStatus: outcome.kind === "answered" ? outcome.status : null,
    lastError: describeOutcome(outcome),
  };
  const set =
    step.status === "delivered"
      ? { ...attempt, status: "delivered" as const, deliveredAt: at }
      : step.status === "pending"
        ? { ...attempt, nextAttemptAt: step.nextAttemptAt }
        : { ...attempt, status: "failed" as const };
  // A delivery given up on meanwhile (its endpoint disabled) stays so, unless this attempt delivered it.
  await deps.db
    .update(deliveries)
    .set(set)
    .where(
      and(
        eq(deliveries.id, delivery.id),
        step.status === "delivered" ? undefined : eq(deliveries.status, "pending"),
      ),
    );
  if (step.status === "delivered" && !test)
    await deps.db
      .update(endpoints)
      .set({ lastSuccessAt: at })
      .where(
        and(
          eq(endpoints.id, endpoint.id),
          or(isNull(endpoints.lastSuccessAt), lt(endpoints.lastSuccessAt, at)),
        ),
      );
  if (step.status === "failed" && endpointFailedThroughout(endpoint, { createdAt: delivery.createdAt, test }))
    await disableEndpoint(deps, endpoint, delivery, outcome, at);
}

/**
 * The endpoint failed for the whole retry window: disabled (if no success came since the delivery
 * was queued — re-checked in the update), its pending deliveries given up, and `webhook.disabled`
 * recorded, in one transaction.
 */
async function disableEndpoint(
  deps: Deps,
  endpoint: EndpointRow,
  delivery: DeliveryRow,
  last: AttemptOutcome,
  at: Date,
) {
  const reason = disabledReason(last);
  const disabled = await deps.db.transaction(async (tx) => {
    const [off] = await tx
      .update(endpoints)
      .set({ status: "disabled", disabledAt: at, disabledReason: reason })
      .where(
        and(
          eq(endpoints.id, endpoint.id),
          eq(endpoints.status, "enabled"),
          or(isNull(endpoints.lastSuccessAt), lt(endpoints.lastSuccessAt, delivery.createdAt)),
        ),
      )
      .returning();
    if (!off) return false;
    await tx
      .update(deliveries)
      .set({
        status: "failed",
        lastError: sql`coalesce(${deliveries.lastError}, 'not sent: the endpoint was disabled')`,
      })
      .where(and(eq(deliveries.endpointId, endpoint.id), eq(deliveries.status, "pending")));
    await recordEvents(tx, endpoint.organizationId, systemActor("webhooks"), [
      { type: "webhook.disabled", workspaceId: null, data: { ...endpointEvent(off), reason } },
    ]);
    return true;
  });
  if (disabled) await notifyChange(deps, endpoint.organizationId, { endpoints: true });
}
