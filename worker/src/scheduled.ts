import { openDeps } from "./deps-factory.ts";
import { gitPollJob } from "./jobs/git-poll.ts";
import { idleStopJob } from "./jobs/idle-stop.ts";
import { janitorJob } from "./jobs/janitor.ts";
import { reconcileJob } from "./jobs/reconcile.ts";
import { webhookJob } from "./jobs/webhooks.ts";
import { errorSummary, logError } from "./safe-log.ts";
import { compactEvents } from "./services/event-log.ts";
import { reencryptGitCredentials } from "./services/git-credentials.ts";
import { revokeExpiredGrants } from "./services/ssh-grants.ts";
import { reencryptWebhookSecrets } from "./services/webhooks.ts";
import { compactShapeLog } from "./shape/change-log.ts";

/** How long sync clients can stay away and still resume from their offset instead of refetching. */
export const SHAPE_LOG_RETENTION_MS = 7 * 24 * 60 * 60_000;

/**
 * One Cron Trigger tick: reconcile with the provider, idle auto-stop, git polling, expired SSH
 * grants (and those whose revocation failed), the janitor (VMs nobody knows about), git credentials
 * and webhook secrets still under an older key moved to the newest, webhook endpoints whose wake
 * was lost (and settled deliveries past retention), then compaction of the sync change log and of
 * events past their retention. Each job isolates its own per-workspace failures; a job that fails as a whole does
 * not stop the next one.
 */
export async function runScheduled(env: Env, now: Date) {
  const { deps, close } = openDeps(env, () => now);
  const { config } = deps;
  const retentionMs = config.EVENT_RETENTION_DAYS * 24 * 60 * 60_000;
  const run = async <T extends object>(name: string, job: () => Promise<T>) => {
    const t0 = Date.now();
    try {
      return { ...(await job()), ms: Date.now() - t0 };
    } catch (err) {
      logError(`${name} job failed:`, err);
      return { error: errorSummary(err), ms: Date.now() - t0 };
    }
  };
  try {
    return {
      reconcile: await run("reconcile", () =>
        reconcileJob(deps, config.PROVISIONING_DEADLINE_MINUTES * 60_000),
      ),
      idleStop: await run("idle-stop", () => idleStopJob(deps)),
      gitPoll: await run("git-poll", () => gitPollJob(deps)),
      grants: await run("grants", () => revokeExpiredGrants(deps)),
      janitor: await run("janitor", () => janitorJob(deps)),
      gitCredentialKeys: await run("git-credential-keys", () => reencryptGitCredentials(deps)),
      webhookSecretKeys: await run("webhook-secret-keys", () => reencryptWebhookSecrets(deps)),
      webhooks: await run("webhooks", () => webhookJob(deps, now, retentionMs)),
      shapeLog: await run("shape-log", () =>
        compactShapeLog(deps.db, new Date(now.getTime() - SHAPE_LOG_RETENTION_MS)),
      ),
      events: await run("events", () => compactEvents(deps.db, new Date(now.getTime() - retentionMs))),
    };
  } finally {
    await close();
  }
}
