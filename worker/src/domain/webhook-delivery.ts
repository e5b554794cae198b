import { ALL_EVENT_TYPES, type Event, type EventType, WEBHOOK_TEST_TYPE } from "@cw/contracts";

/**
 * What happens to a webhook delivery after an attempt, decided purely from the delivery, the
 * attempt's outcome and `now`.
 *
 * - A 2xx answer delivers it. Anything else (another status, a redirect — never followed —, no
 *   answer within the timeout, no connection, a URL the policy refuses now) is a failed attempt.
 * - A failed delivery is retried with exponential backoff (10 s, 30 s, 90 s, … tripling, at most
 *   4 h apart), the last time when 24 hours have passed since it was queued; then it is given up.
 * - A delivery given up on while its endpoint had no success since it was queued means the endpoint
 *   failed for those 24 hours: the endpoint is disabled (and its pending deliveries given up).
 * - A test delivery is tried once and never changes its endpoint.
 */
export const RETRY_WINDOW_MS = 24 * 60 * 60_000;
const FIRST_RETRY_MS = 10_000;
const BACKOFF_FACTOR = 3;
const MAX_RETRY_MS = 4 * 60 * 60_000;

export type AttemptOutcome =
  | { kind: "answered"; status: number }
  | { kind: "timeout"; afterMs: number }
  | { kind: "unreachable" }
  /** Not sent: the URL is refused by the policy now (its host moved to a private address). */
  | { kind: "refused"; message: string }
  /** Not sent: whether the URL is allowed could not be known (the DNS resolver failed). */
  | { kind: "unresolved" }
  /** Not sent: the signing secret cannot be opened (its key left GIT_CREDENTIAL_KEYS). */
  | { kind: "unsigned" };

export type NextStep =
  | { status: "delivered" }
  | { status: "pending"; nextAttemptAt: Date }
  | { status: "failed" };

export interface DeliveryState {
  createdAt: Date;
  /** Attempts made, this one included. */
  attempts: number;
  test: boolean;
}

export const succeeded = (o: AttemptOutcome) => o.kind === "answered" && o.status >= 200 && o.status < 300;

/** The wait before the next attempt after `failures` failed ones. */
export function retryDelayMs(failures: number): number {
  return Math.min(FIRST_RETRY_MS * BACKOFF_FACTOR ** Math.max(0, failures - 1), MAX_RETRY_MS);
}

export function afterAttempt(delivery: DeliveryState, outcome: AttemptOutcome, now: Date): NextStep {
  if (succeeded(outcome)) return { status: "delivered" };
  if (delivery.test) return { status: "failed" };
  const deadline = delivery.createdAt.getTime() + RETRY_WINDOW_MS;
  if (now.getTime() >= deadline) return { status: "failed" };
  const next = Math.min(now.getTime() + retryDelayMs(delivery.attempts), deadline);
  return { status: "pending", nextAttemptAt: new Date(next) };
}

/** Whether giving up on `delivery` means its endpoint failed for the whole retry window. */
export function endpointFailedThroughout(
  endpoint: { lastSuccessAt: Date | null },
  delivery: Pick<DeliveryState, "createdAt" | "test">,
): boolean {
  if (delivery.test) return false;
  return endpoint.lastSuccessAt === null || endpoint.lastSuccessAt < delivery.createdAt;
}

/** A failed attempt in our words (`lastError`, the disabled reason); null for a success. */
export function describeOutcome(outcome: AttemptOutcome): string | null {
  switch (outcome.kind) {
    case "answered":
      if (succeeded(outcome)) return null;
      return outcome.status >= 300 && outcome.status < 400
        ? `answered ${outcome.status} (redirects are not followed)`
        : `answered ${outcome.status}`;
    case "timeout":
      return `no answer within ${Math.round(outcome.afterMs / 1000)} s`;
    case "unreachable":
      return "could not connect";
    case "refused":
      return `not sent: the URL ${outcome.message}`;
    case "unresolved":
      return "not sent: the URL's host could not be resolved";
    case "unsigned":
      return "not sent: the signing secret cannot be opened (its key is no longer in GIT_CREDENTIAL_KEYS)";
  }
}

export const disabledReason = (last: AttemptOutcome) =>
  `every delivery failed for 24 hours (last attempt: ${describeOutcome(last) ?? "answered"})`;

/** Whether an endpoint subscribed to `types` (event types, or "*") receives an event of `type`. */
export const wantsEvent = (types: readonly string[], type: EventType) =>
  types.includes(ALL_EVENT_TYPES) || types.includes(type);

/** The event log filter of an endpoint's subscription. */
export const eventFilterOf = (types: readonly string[]): { types?: EventType[] } =>
  types.includes(ALL_EVENT_TYPES) ? {} : { types: types as EventType[] };

/** The body of an event's delivery: Standard Webhooks' `{type, timestamp, data}`, the Event as data. */
export const eventBody = (event: Event) =>
  JSON.stringify({ type: event.type, timestamp: event.createdAt, data: event });

export const testBody = (webhookId: string, now: Date) =>
  JSON.stringify({
    type: WEBHOOK_TEST_TYPE,
    timestamp: now.toISOString(),
    data: { webhookId, message: "a test delivery from cloud workspaces" },
  });
