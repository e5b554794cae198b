import { z } from "zod";
import {
  autoStopActionValues,
  type EventType,
  eventTypeValues,
  gitCredentialScopeValues,
  gitSyncStatusValues,
  statusChangeReasonValues,
  systemProcessValues,
  workspaceStatusValues,
} from "../enums.ts";
import { commaListOf, issuedId, timestamp } from "./common.ts";
import { clientTypeSchema } from "./session.ts";

/**
 * Events: what happened in an organization, who did it, and when. One list of types
 * (`eventTypeValues`), one data shape per type, here; the audit log, the event stream and webhook
 * payloads are all this `Event`.
 */

export const EventActor = z
  .discriminatedUnion("type", [
    z.object({
      type: z.literal("user"),
      userId: issuedId,
      tokenId: issuedId.nullable().meta({ description: "The API token it came through, if any" }),
    }),
    z.object({ type: z.literal("system"), process: z.enum(systemProcessValues) }),
  ])
  .meta({
    id: "EventActor",
    description: "A user (through an API token) or one of the control plane's own processes",
  });
export type EventActor = z.infer<typeof EventActor>;

const status = z.enum(workspaceStatusValues);
const syncStatus = z.enum(gitSyncStatusValues);
const ids = {
  hold: { holdId: issuedId, reason: z.string(), until: timestamp },
  session: { sessionId: issuedId, clientType: clientTypeSchema },
  token: { tokenId: issuedId, name: z.string() },
  gitCredential: { credentialId: issuedId, host: z.string(), scope: z.enum(gitCredentialScopeValues) },
  webhook: { webhookId: issuedId, url: z.string() },
};

/** Each type's `data`. */
export const eventData = {
  "workspace.created": z.object({ name: z.string(), branch: z.string(), repositoryId: issuedId }),
  "workspace.updated": z.object({
    changes: z.object({
      name: z.string().optional(),
      autoStopMinutes: z.number().int().optional(),
      autoStopAction: z.enum(autoStopActionValues).optional(),
    }),
  }),
  "workspace.status_changed": z.object({
    from: status,
    to: status,
    reason: z.enum(statusChangeReasonValues),
    message: z.string().nullable(),
  }),
  "workspace.auto_stop_coming": z.object({ at: timestamp, action: z.enum(autoStopActionValues) }),
  "workspace.sync_changed": z.object({ from: syncStatus, to: syncStatus, message: z.string().nullable() }),
  "workspace.deleted": z.object({ name: z.string(), pushedBranches: z.array(z.string()) }),
  "hold.created": z.object(ids.hold),
  "hold.released": z.object({ ...ids.hold, why: z.enum(["released", "expired"]) }),
  "session.joined": z.object(ids.session),
  "session.left": z.object(ids.session),
  "ssh.credentials_issued": z.object({ expiresAt: timestamp }),
  "token.created": z.object({ ...ids.token, expiresAt: timestamp.nullable() }),
  "token.deleted": z.object(ids.token),
  "git_credential.created": z.object(ids.gitCredential),
  "git_credential.deleted": z.object(ids.gitCredential),
  "repository.created": z.object({ repositoryId: issuedId, name: z.string() }),
  "webhook.created": z.object(ids.webhook),
  "webhook.deleted": z.object(ids.webhook),
  "webhook.disabled": z.object({ ...ids.webhook, reason: z.string() }),
  "webhook.enabled": z.object(ids.webhook),
} as const satisfies Record<EventType, z.ZodObject>;
export type EventData<T extends EventType> = z.input<(typeof eventData)[T]>;

/** A position in the organization's event log: `<txid>_<seq>`. Events after it follow it. */
const INT8_MAX = 2n ** 63n - 1n;
const CURSOR = /^\d{1,19}_\d{1,19}$/;
export const eventCursor = z
  .string()
  .refine((c) => CURSOR.test(c) && c.split("_").every((n) => BigInt(n) <= INT8_MAX), {
    message: "not an event cursor",
  })
  .meta({ description: "An event's `cursor` (or a page's `nextCursor`): events after it follow" });

const eventBase = {
  id: issuedId.meta({ description: "Stable and unique; a webhook delivery's `webhook-id`" }),
  cursor: z.string().meta({ description: "Where this event sits in the log; resume after it" }),
  organizationId: issuedId,
  workspaceId: issuedId.nullable(),
  actor: EventActor,
  createdAt: timestamp,
};

type EventVariant<T extends EventType> = z.ZodObject<
  typeof eventBase & { type: z.ZodLiteral<T>; data: (typeof eventData)[T] }
>;
const variants = eventTypeValues.map((type) =>
  z.object({ ...eventBase, type: z.literal(type), data: eventData[type] }),
) as unknown as [EventVariant<EventType>, ...EventVariant<EventType>[]];

export const Event = z.discriminatedUnion("type", variants).meta({ id: "Event" });
export type Event = z.infer<typeof Event>;

export const EventList = z
  .object({
    items: z.array(Event),
    nextCursor: z
      .string()
      .meta({ description: "Pass as `after` for the events that follow (there may be none yet)" }),
  })
  .meta({ id: "EventList" });
export type EventList = z.infer<typeof EventList>;

export const EVENT_PAGE_MAX = 500;

/** A comma-separated list of event types. */
const typeList = commaListOf(eventTypeValues, "event types").meta({
  description: "Only these types (comma-separated)",
});

export const EventFilterQuery = z.object({
  type: typeList.optional(),
  workspaceId: z.uuid().optional().meta({ description: "Only this workspace's events" }),
});

/** `GET /v1/events`: oldest first after `after` (or from the oldest kept), a page at a time. */
export const ListEventsQuery = EventFilterQuery.extend({
  after: eventCursor.optional(),
  limit: z.coerce.number().int().min(1).max(EVENT_PAGE_MAX).default(100),
});
export type ListEventsQuery = Partial<z.output<typeof ListEventsQuery>>;

/** `GET /v1/events/stream`: from `after` (or the Last-Event-ID header), else only what happens next. */
export const StreamEventsQuery = EventFilterQuery.extend({ after: eventCursor.optional() });
export type StreamEventsQuery = Partial<z.output<typeof StreamEventsQuery>>;
