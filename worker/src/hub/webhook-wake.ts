import type { Event, EventType } from "@cw/contracts";
import { wantsEvent } from "../domain/webhook-delivery.ts";
import { logError } from "../safe-log.ts";

/** An enabled webhook endpoint of the organization and the event types it wants. */
export interface EndpointInterest {
  id: string;
  eventTypes: string[];
}

/** Events that add, delete, disable or enable an endpoint: the cached list is stale after one. */
const ENDPOINT_CHANGES = new Set<EventType>([
  "webhook.created",
  "webhook.deleted",
  "webhook.disabled",
  "webhook.enabled",
]);

/**
 * The hub's part in webhook delivery: when a refresh reads new events, it wakes the delivery object
 * of each enabled endpoint that wants one of them, so sending starts moments after the commit and
 * no endpoint polls. The endpoint list is read once and cached, and forgotten when a `webhook.*`
 * event (or a writer's notice) says it changed. Waking is fire-and-forget: a lost wake is found by
 * the cron (`jobs/webhooks.ts`).
 */
export class WebhookWake {
  private endpoints: EndpointInterest[] | null = null;

  constructor(
    private readonly load: () => Promise<EndpointInterest[]>,
    private readonly poke: (endpointId: string) => Promise<void>,
  ) {}

  forget() {
    this.endpoints = null;
  }

  /** Whether the cached list names an endpoint (false while unknown: nothing read it yet). */
  get hasEndpoints(): boolean {
    return (this.endpoints?.length ?? 0) > 0;
  }

  /** Whether the organization has an enabled endpoint (read once, then cached); yes when unknown. */
  async any(): Promise<boolean> {
    try {
      return (await this.list()).length > 0;
    } catch (err) {
      logError("reading the organization's webhook endpoints failed:", err);
      return true;
    }
  }

  /** New events were read (or, at the hub's start, maybe some were missed: "all"); never throws. */
  async wake(events: Event[] | "all"): Promise<void> {
    try {
      if (events !== "all") {
        if (events.length === 0) return;
        if (events.some((e) => ENDPOINT_CHANGES.has(e.type))) this.forget();
      }
      for (const endpoint of await this.list()) {
        if (events !== "all" && !events.some((e) => wantsEvent(endpoint.eventTypes, e.type))) continue;
        this.poke(endpoint.id).catch((err) =>
          logError(`waking webhook endpoint ${endpoint.id} failed:`, err),
        );
      }
    } catch (err) {
      logError("reading the organization's webhook endpoints failed:", err);
    }
  }

  private async list(): Promise<EndpointInterest[]> {
    this.endpoints ??= await this.load();
    return this.endpoints;
  }
}
