import { DurableObject } from "cloudflare:workers";
import { openDeps } from "../deps-factory.ts";
import { logError } from "../safe-log.ts";
import { type EndpointRun, runWebhookEndpoint } from "../services/webhook-delivery.ts";

/** A run that failed as a whole (the database unreachable) is tried again after this. */
const RUN_RETRY_MS = 10_000;

/**
 * One per webhook endpoint (named by its id): runs the endpoint's deliveries from its alarm
 * (`runWebhookEndpoint`), so a slow or dead receiver holds up only its own object — never another
 * endpoint's deliveries, the hub or a request. Woken by the organization's hub when new events it
 * wants are read, by a test delivery, and by the cron for anything a lost wake left behind; it
 * sleeps until its next retry is due. All state is in Postgres; this object keeps only its
 * endpoint's id.
 */
export class WebhookDispatcher extends DurableObject<Env> {
  private running = false;
  /** A wake arrived during a run: run again before sleeping. */
  private again = false;

  /** Something may be due now: run as soon as possible. */
  async poke(endpointId: string): Promise<void> {
    const known = await this.ctx.storage.get<string>("endpointId");
    if (known === undefined) await this.ctx.storage.put("endpointId", endpointId);
    else if (known !== endpointId) throw new Error("webhook dispatcher called for another endpoint");
    if (this.running) this.again = true;
    else await this.ctx.storage.setAlarm(Date.now());
  }

  override async alarm(): Promise<void> {
    const endpointId = await this.ctx.storage.get<string>("endpointId");
    if (!endpointId) return;
    this.running = true;
    try {
      const next = await this.runUntilQuiet(endpointId);
      if (next === "gone") {
        await this.ctx.storage.deleteAll();
        return;
      }
      if (next !== null) await this.ctx.storage.setAlarm(next);
    } finally {
      this.running = false;
    }
    // A wake that came while the alarm was being set.
    if (this.again) await this.ctx.storage.setAlarm(Date.now());
  }

  /** Runs until no wake came during the run; answers when to run next. */
  private async runUntilQuiet(endpointId: string): Promise<number | null | "gone"> {
    const { deps, close } = openDeps(this.env);
    try {
      let run: EndpointRun;
      do {
        this.again = false;
        run = await runWebhookEndpoint(deps, endpointId);
      } while (this.again && !run.gone);
      return run.gone ? "gone" : (run.nextRunAt?.getTime() ?? null);
    } catch (err) {
      logError(`webhook endpoint ${endpointId}: delivery run failed (tried again in 10 s):`, err);
      return Date.now() + RUN_RETRY_MS;
    } finally {
      await close();
    }
  }
}
