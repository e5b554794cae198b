import {
  type CreateWebhook,
  type ListWebhookDeliveriesQuery,
  type NewWebhook,
  WEBHOOK_TEST_TYPE,
  type Webhook,
  type WebhookDelivery,
  type WebhookDeliveryList,
} from "@cw/contracts";
import { schema } from "@cw/db";
import { and, count, desc, eq, inArray, sql } from "drizzle-orm";
import type { z } from "zod";
import { userActor } from "../domain/events.ts";
import { decodeCursor, pageOf } from "../domain/pagination.ts";
import { notFound, validationProblem } from "../domain/problems.ts";
import { seal } from "../domain/secret-box.ts";
import { testBody } from "../domain/webhook-delivery.ts";
import { newWebhookSecret } from "../domain/webhook-signature.ts";
import { logError } from "../safe-log.ts";
import { currentPosition } from "../shape/change-log.ts";
import { type Caller, type Deps, notifyChange } from "./deps.ts";
import { recordEvents } from "./event-log.ts";
import { withinOrganizationLimit } from "./organization-limits.ts";
import { type ResealResult, resealUnderNewestKey, sealedColumns } from "./reseal.ts";
import { assertWebhookUrl } from "./webhook-url-check.ts";

/**
 * Webhook endpoints and their deliveries as the API sees them: add (the signing secret sealed
 * under GIT_CREDENTIAL_KEYS and shown once), list, delete, queue a test, list deliveries. Sending
 * is each endpoint's delivery object's (`webhook-delivery.ts`); every answer here is scoped to the
 * caller's organization.
 */
const endpoints = schema.webhookEndpoints;
const deliveries = schema.webhookDeliveries;
export type EndpointRow = typeof endpoints.$inferSelect;
type DeliveryRow = typeof deliveries.$inferSelect;

/** What a signing secret's ciphertext is bound to: its endpoint and organization. */
export const secretContextOf = (row: Pick<EndpointRow, "organizationId" | "id">) =>
  `webhook-secret\u0000${row.organizationId}\u0000${row.id}`;

const webhookView = (row: EndpointRow): Webhook => ({
  id: row.id,
  url: row.url,
  events: row.eventTypes as Webhook["events"],
  description: row.description,
  status: row.status,
  disabledAt: row.disabledAt?.toISOString() ?? null,
  disabledReason: row.disabledReason,
  createdAt: row.createdAt.toISOString(),
});

const deliveryView = (row: DeliveryRow): WebhookDelivery => ({
  id: row.id,
  webhookId: row.endpointId,
  eventId: row.eventId,
  type: row.eventType as WebhookDelivery["type"],
  status: row.status,
  attempts: row.attempts,
  nextAttemptAt: row.status === "pending" ? row.nextAttemptAt.toISOString() : null,
  lastAttemptAt: row.lastAttemptAt?.toISOString() ?? null,
  lastResponseStatus: row.lastResponseStatus,
  lastError: row.lastError,
  createdAt: row.createdAt.toISOString(),
  deliveredAt: row.deliveredAt?.toISOString() ?? null,
});

/** What an event says of an endpoint: which, and where it points; never its secret. */
export const endpointEvent = (row: Pick<EndpointRow, "id" | "url">) => ({ webhookId: row.id, url: row.url });

/**
 * Adds an endpoint: its URL checked by the webhook URL policy, its secret made here, sealed, and
 * returned this once. It receives the events recorded from about now on.
 */
export async function createWebhook(
  deps: Deps,
  caller: Caller,
  input: z.output<typeof CreateWebhook>,
): Promise<NewWebhook> {
  await assertWebhookUrl(deps, input.url, "body.url");
  const owner = { id: crypto.randomUUID(), organizationId: caller.organizationId };
  const secret = newWebhookSecret();
  const sealed = await seal(deps.config.GIT_CREDENTIAL_KEYS, secret, secretContextOf(owner));
  const start = await currentPosition(deps.db);
  const row = await withinOrganizationLimit(
    deps.db,
    caller.organizationId,
    {
      name: "MAX_WEBHOOKS_PER_ORGANIZATION",
      max: deps.config.MAX_WEBHOOKS_PER_ORGANIZATION,
      noun: "webhook endpoints",
      status: 422,
    },
    async (tx) =>
      (
        await tx
          .select({ n: count() })
          .from(endpoints)
          .where(eq(endpoints.organizationId, caller.organizationId))
      )[0]!.n,
    async (tx) => {
      const [added] = await tx
        .insert(endpoints)
        .values({
          ...owner,
          url: input.url,
          eventTypes: input.events,
          description: input.description || null,
          ...sealedColumns(sealed),
          cursorTxid: start.txid,
          cursorSeq: start.seq,
          createdAt: deps.now(),
        })
        .returning();
      await recordEvents(tx, caller.organizationId, userActor(caller), [
        { type: "webhook.created", workspaceId: null, data: endpointEvent(added!) },
      ]);
      return added!;
    },
  );
  await notifyChange(deps, caller.organizationId, { endpoints: true });
  return { ...webhookView(row), secret };
}

export async function listWebhooks(deps: Deps, caller: Caller): Promise<Webhook[]> {
  const rows = await deps.db
    .select()
    .from(endpoints)
    .where(eq(endpoints.organizationId, caller.organizationId))
    .orderBy(desc(endpoints.createdAt), desc(endpoints.id));
  return rows.map(webhookView);
}

/** Deletes an endpoint with its deliveries; its delivery object finds it gone and forgets it. */
export async function deleteWebhook(deps: Deps, caller: Caller, id: string): Promise<void> {
  const gone = await deps.db.transaction(async (tx) => {
    const [row] = await tx
      .delete(endpoints)
      .where(and(eq(endpoints.id, id), eq(endpoints.organizationId, caller.organizationId)))
      .returning({ id: endpoints.id, url: endpoints.url });
    if (row)
      await recordEvents(tx, caller.organizationId, userActor(caller), [
        { type: "webhook.deleted", workspaceId: null, data: endpointEvent(row) },
      ]);
    return row;
  });
  if (!gone) throw notFound("webhook");
  await notifyChange(deps, caller.organizationId, { endpoints: true });
}

/**
 * Enables a disabled endpoint again, its URL checked by the policy as at creation: it receives the
 * events recorded from now on (not those of while it was off) and has 24 hours of failures again
 * before it is disabled. Enabling an enabled endpoint changes nothing.
 */
export async function enableWebhook(deps: Deps, caller: Caller, id: string): Promise<Webhook> {
  const endpoint = await findEndpoint(deps, caller, id);
  if (endpoint.status === "enabled") return webhookView(endpoint);
  await assertWebhookUrl(deps, endpoint.url, "url");
  const start = await currentPosition(deps.db);
  const enabled = await deps.db.transaction(async (tx) => {
    const [row] = await tx
      .update(endpoints)
      .set({
        status: "enabled",
        disabledAt: null,
        disabledReason: null,
        cursorTxid: start.txid,
        cursorSeq: start.seq,
      })
      .where(
        and(
          eq(endpoints.id, endpoint.id),
          eq(endpoints.organizationId, caller.organizationId),
          eq(endpoints.status, "disabled"),
        ),
      )
      .returning();
    if (row)
      await recordEvents(tx, caller.organizationId, userActor(caller), [
        { type: "webhook.enabled", workspaceId: null, data: endpointEvent(row) },
      ]);
    return row;
  });
  // Enabled by a concurrent call meanwhile, or deleted: answer as it is now.
  if (!enabled) return webhookView(await findEndpoint(deps, caller, id));
  await notifyChange(deps, caller.organizationId, { endpoints: true });
  return webhookView(enabled);
}

async function findEndpoint(deps: Deps, caller: Caller, id: string): Promise<EndpointRow> {
  const [row] = await deps.db
    .select()
    .from(endpoints)
    .where(and(eq(endpoints.id, id), eq(endpoints.organizationId, caller.organizationId)));
  if (!row) throw notFound("webhook");
  return row;
}

/**
 * Queues a test delivery (`type` webhook.test, one attempt, never changing the endpoint) and wakes
 * the endpoint's delivery object: the answer is the delivery, pending; its outcome shows in the
 * deliveries. The request never waits on the receiver.
 */
export async function queueTestDelivery(deps: Deps, caller: Caller, id: string): Promise<WebhookDelivery> {
  const endpoint = await findEndpoint(deps, caller, id);
  const now = deps.now();
  const [row] = await deps.db
    .insert(deliveries)
    .values({
      endpointId: endpoint.id,
      organizationId: endpoint.organizationId,
      eventId: crypto.randomUUID(),
      eventType: WEBHOOK_TEST_TYPE,
      body: testBody(endpoint.id, now),
      nextAttemptAt: now,
      createdAt: now,
    })
    .returning();
  try {
    await deps.webhooks(endpoint.id).poke(endpoint.id);
  } catch (err) {
    logError(`waking webhook endpoint ${endpoint.id} failed (the cron finds its test delivery):`, err);
  }
  return deliveryView(row!);
}

/** One page of an endpoint's deliveries, newest first. */
export async function listWebhookDeliveries(
  deps: Deps,
  caller: Caller,
  id: string,
  query: Required<Pick<ListWebhookDeliveriesQuery, "limit">> & ListWebhookDeliveriesQuery,
): Promise<WebhookDeliveryList> {
  const cursor = query.cursor ? decodeCursor(query.cursor) : null;
  if (query.cursor && !cursor)
    throw validationProblem([{ field: "query.cursor", message: "not a valid cursor" }]);
  const endpoint = await findEndpoint(deps, caller, id);
  const rows = await deps.db
    .select()
    .from(deliveries)
    .where(
      and(
        eq(deliveries.endpointId, endpoint.id),
        query.status ? eq(deliveries.status, query.status) : undefined,
        cursor
          ? sql`(${deliveries.createdAt}, ${deliveries.id}) < (${cursor.createdAt}, ${cursor.id})`
          : undefined,
      ),
    )
    .orderBy(desc(deliveries.createdAt), desc(deliveries.id))
    .limit(query.limit + 1);
  const page = pageOf(rows, query.limit);
  return { items: page.items.map(deliveryView), nextCursor: page.nextCursor };
}

/**
 * Moves signing secrets sealed under an older key of GIT_CREDENTIAL_KEYS to the first one, a batch
 * a tick (with the git credentials), so an old key can be dropped once nothing is under it.
 */
export const reencryptWebhookSecrets = (deps: Deps): Promise<ResealResult> =>
  resealUnderNewestKey<EndpointRow>(deps.config.GIT_CREDENTIAL_KEYS, {
    stale: (older, limit) =>
      deps.db.select().from(endpoints).where(inArray(endpoints.secretKeyId, older)).limit(limit),
    contextOf: secretContextOf,
    save: async (row, columns) =>
      (
        await deps.db
          .update(endpoints)
          .set(columns)
          .where(and(eq(endpoints.id, row.id), eq(endpoints.secretCiphertext, row.secretCiphertext)))
          .returning({ id: endpoints.id })
      ).length > 0,
  });
