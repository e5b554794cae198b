import type { CronBudgetVariable } from "./config.ts";
import { openDeps } from "./deps-factory.ts";
import { autoStopWarningJob } from "./jobs/auto-stop-warning.ts";
import { ConnectionGate, type LaneRule } from "./jobs/connection-gate.ts";
import type { JobBudget } from "./jobs/fan-out.ts";
import { gitPollJob } from "./jobs/git-poll.ts";
import { grantsJob } from "./jobs/grants.ts";
import { idleStopJob } from "./jobs/idle-stop.ts";
import { janitorJob } from "./jobs/janitor.ts";
import { reconcileJob } from "./jobs/reconcile.ts";
import { webhookJob } from "./jobs/webhooks.ts";
import { errorSummary, logError } from "./safe-log.ts";
import { compactEvents } from "./services/event-log.ts";
import { reencryptGitCredentials } from "./services/git-credentials.ts";
import { reencryptWebhookSecrets } from "./services/webhooks.ts";
import { compactShapeLog } from "./shape/change-log.ts";

/** How long sync clients can stay away and still resume from their offset instead of refetching. */
export const SHAPE_LOG_RETENTION_MS = 7 * 24 * 60 * 60_000;

type Lane = "grants" | "janitor" | "reconcile" | "idleStop" | "gitPoll";

/**
 * Each job's lane of the tick's connection slots, listed in the order a freed slot is offered:
 * security first, then the provider's view of the fleet, then lifecycle, then git. Grants, the
 * janitor and reconcile each keep one slot of their own, so nothing else can make them wait;
 * git polling, whose commands a tenant can make hang, never holds more than two.
 */
export const LANES: Record<Lane, LaneRule> = {
  grants: { reserve: 1, max: 2 },
  janitor: { reserve: 1, max: 1 },
  reconcile: { reserve: 1, max: 2 },
  idleStop: { reserve: 0, max: 6 },
  gitPoll: { reserve: 0, max: 2 },
};

const BUDGET_SECONDS: Record<Lane, CronBudgetVariable> = {
  grants: "CRON_BUDGET_GRANTS_SECONDS",
  janitor: "CRON_BUDGET_JANITOR_SECONDS",
  reconcile: "CRON_BUDGET_RECONCILE_SECONDS",
  idleStop: "CRON_BUDGET_IDLE_STOP_SECONDS",
  gitPoll: "CRON_BUDGET_GIT_POLL_SECONDS",
};

/**
 * One Cron Trigger tick. Reconcile with the provider, idle auto-stop, expired SSH grants (and
 * those whose revocation failed) and the janitor (VMs nobody knows about) run at the same time,
 * and git polling once reconcile is done, each within its own time budget from the tick's start
 * and its lane of the connection slots: nothing waits behind git polling or idle auto-stop, and a
 * job out of budget starts nothing more and reports what it `left`. Then the
 * database-only upkeep: the "auto-stop coming" events, git credentials and webhook secrets still
 * under an older key moved to the newest, webhook endpoints whose wake was lost (and settled
 * deliveries past retention), and compaction of the sync change log and of events past their
 * retention. Each job isolates its own per-workspace failures; a job that
 * fails as a whole does not stop the others. `clock` measures the budgets (the tick's `now` is
 * the scheduled time, the same for every decision).
 */
export async function runScheduled(env: Env, now: Date, clock: () => number = Date.now) {
  const { deps, close } = openDeps(env, () => now);
  const { config } = deps;
  const gate = new ConnectionGate(config.CRON_PROVIDER_CONNECTIONS, LANES);
  const startedAt = clock();
  const budgetOf = (lane: Lane): JobBudget => ({
    deadline: startedAt + config[BUDGET_SECONDS[lane]] * 1000,
    clock,
    concurrency: Math.min(LANES[lane].max, config.CRON_PROVIDER_CONNECTIONS),
    slot: () => gate.acquire(lane),
  });
  const retentionMs = config.EVENT_RETENTION_DAYS * 24 * 60 * 60_000;
  const run = async <T extends object>(name: string, job: () => Promise<T>) => {
    const t0 = clock();
    try {
      return { ...(await job()), ms: clock() - t0 };
    } catch (err) {
      logError(`${name} job failed:`, err);
      return { error: errorSummary(err), ms: clock() - t0 };
    }
  };
  const inLane = <T extends object>(lane: Lane, name: string, job: (budget: JobBudget) => Promise<T>) =>
    run(name, () => job(budgetOf(lane))).finally(() => gate.close(lane));
  try {
    const [{ reconcile, gitPoll }, idleStop, grants, janitor] = await Promise.all([
      // Both take the lock of running workspaces, and each would skip what the other holds: git
      // polling (its budget still counted from the tick's start) begins when reconcile is done.
      inLane("reconcile", "reconcile", (b) =>
        reconcileJob(deps, config.PROVISIONING_DEADLINE_MINUTES * 60_000, b),
      ).then(async (reconcile) => ({
        reconcile,
        gitPoll: await inLane("gitPoll", "git-poll", (b) => gitPollJob(deps, b)),
      })),
      // Never after the same workspace as reconcile or git polling: both leave the due ones to it.
      inLane("idleStop", "idle-stop", (b) => idleStopJob(deps, b)),
      inLane("grants", "grants", (b) => grantsJob(deps, b)),
      inLane("janitor", "janitor", (b) => janitorJob(deps, { budget: b })),
    ]);
    return {
      reconcile,
      idleStop,
      autoStopWarning: await run("auto-stop-warning", () => autoStopWarningJob(deps)),
      gitPoll,
      grants,
      janitor,
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
