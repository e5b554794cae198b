import { z } from "zod";
import { eventTypeValues, webhookDeliveryStatusValues, webhookStatusValues } from "../enums.ts";
import { isSafeText, issuedId, itemsOf, SAFE_TEXT_MESSAGE, timestamp } from "./common.ts";

/**
 * Webhook endpoints: URLs the organization's events are POSTed to, signed as the Standard Webhooks
 * specification says (`webhook-id`, `webhook-timestamp`, `webhook-signature`), so receivers verify
 * them with any of its libraries. The body is `{type, timestamp, data}` with the `Event` as `data`.
 * The signing secret (`whsec_…`) is shown once, when the endpoint is created.
 */

/** Subscribes to every event type, those added later included. */
export const ALL_EVENT_TYPES = "*";

/** The `type` of a test delivery (`POST /v1/webhooks/{id}/test`): no event of the log has it. */
export const WEBHOOK_TEST_TYPE = "webhook.test";

const eventSelector = z.enum([ALL_EVENT_TYPES, ...eventTypeValues], {
  error: 'unknown event type (one of the Event types, or "*" for all)',
});

const description = z
  .string()
  .trim()
  .max(500)
  .refine(isSafeText, SAFE_TEXT_MESSAGE)
  .meta({ description: "What the endpoint is for (shown in lists)" });

export const CreateWebhook = z
  .object({
    url: z
      .url({ protocol: /^https?$/, error: "must be an https:// URL" })
      .max(2048)
      .refine(isSafeText, SAFE_TEXT_MESSAGE)
      .meta({
        description:
          "Where deliveries are POSTed: https:// to a public host (the local stack also takes http:// and local hosts)",
      }),
    events: z
      .array(eventSelector)
      .min(1)
      .max(eventTypeValues.length + 1)
      // "*" covers the rest; repeats say nothing more.
      .transform((types) => (types.includes(ALL_EVENT_TYPES) ? [ALL_EVENT_TYPES] : [...new Set(types)]))
      .meta({ description: 'The event types to deliver, or ["*"] for all of them' }),
    description: description.optional(),
  })
  .strict()
  .meta({ id: "CreateWebhook" });
export type CreateWebhook = z.input<typeof CreateWebhook>;

export const Webhook = z
  .object({
    id: issuedId,
    url: z.string(),
    events: z.array(eventSelector),
    description: z.string().nullable(),
    status: z.enum(webhookStatusValues).meta({
      description:
        "enabled: receives deliveries; disabled: it failed every attempt for 24 hours (POST …/enable to resume)",
    }),
    disabledAt: timestamp.nullable(),
    disabledReason: z.string().nullable(),
    createdAt: timestamp,
  })
  .meta({ id: "Webhook" });
export type Webhook = z.infer<typeof Webhook>;

export const NewWebhook = Webhook.extend({
  secret: z.string().meta({
    description:
      "The signing secret (whsec_ and base64 of 32 random bytes), as Standard Webhooks libraries take it. Shown once",
  }),
}).meta({ id: "NewWebhook" });
export type NewWebhook = z.infer<typeof NewWebhook>;

export const WebhookList = itemsOf(Webhook).meta({ id: "WebhookList" });
export type WebhookList = z.infer<typeof WebhookList>;

export const WebhookDelivery = z
  .object({
    id: issuedId,
    webhookId: issuedId,
    eventId: issuedId.meta({ description: "The event's id, sent as `webhook-id` (a test's own id)" }),
    type: z.enum([...eventTypeValues, WEBHOOK_TEST_TYPE]),
    status: z.enum(webhookDeliveryStatusValues),
    attempts: z.number().int(),
    nextAttemptAt: timestamp.nullable().meta({ description: "When it is tried next (pending only)" }),
    lastAttemptAt: timestamp.nullable(),
    lastResponseStatus: z
      .number()
      .int()
      .nullable()
      .meta({ description: "The receiver's HTTP status at the last attempt (null: no answer)" }),
    lastError: z.string().nullable().meta({ description: "Why the last attempt failed, in our words" }),
    createdAt: timestamp,
    deliveredAt: timestamp.nullable(),
  })
  .meta({ id: "WebhookDelivery" });
export type WebhookDelivery = z.infer<typeof WebhookDelivery>;

export const WEBHOOK_DELIVERY_PAGE_MAX = 200;

export const WebhookDeliveryList = z
  .object({
    items: z.array(WebhookDelivery),
    nextCursor: z.string().nullable().meta({ description: "Pass as `cursor` for older deliveries" }),
  })
  .meta({ id: "WebhookDeliveryList" });
export type WebhookDeliveryList = z.infer<typeof WebhookDeliveryList>;

/** `GET /v1/webhooks/{id}/deliveries`: newest first, a page at a time. */
export const ListWebhookDeliveriesQuery = z.object({
  limit: z.coerce.number().int().min(1).max(WEBHOOK_DELIVERY_PAGE_MAX).default(50),
  cursor: z.string().max(512).optional(),
  status: z.enum(webhookDeliveryStatusValues).optional(),
});
export type ListWebhookDeliveriesQuery = Partial<z.output<typeof ListWebhookDeliveriesQuery>>;
