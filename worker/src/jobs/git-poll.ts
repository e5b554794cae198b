import { schema } from "@cw/db";
import { and, asc, eq, gt, isNotNull, isNull, or, sql } from "drizzle-orm";
import { type ChangeCause, systemActor } from "../domain/events.ts";
import { roundRobinBy } from "../domain/fair-batch.ts";
import { repositoryHostOf } from "../domain/git-host.ts";
import {
  describeRemoteHeadFailure,
  parseSyncReport,
  remoteHeadCommand,
  syncCommand,
} from "../domain/git-sync.ts";
import { parseWorkReport, unsavedWorkCommand } from "../domain/unsaved-work.ts";
import { failureText } from "../domain/vm-text.ts";
import { ProviderError } from "../providers/index.ts";
import { logError } from "../safe-log.ts";
import type { Deps } from "../services/deps.ts";
import { repositoryUrlOf } from "../services/vm-checkout.ts";
import {
  acquireOperation,
  changeWorkspace,
  finishOperation,
  type WorkspaceRow,
} from "../services/workspace-rows.ts";
import { fanOut, type JobBudget, remainingMs, unbudgeted } from "./fan-out.ts";

const ws = schema.cloudWorkspaces;
const polling: ChangeCause = { actor: systemActor("git-poll") };
/** The longest a git command in a VM may run (a healthy git host answers in a few seconds). */
export const EXEC_TIMEOUT_MS = 20_000;
/** …and the least, when the budget is nearly spent: shorter would cut a healthy host off. */
export const MIN_EXEC_TIMEOUT_MS = 5_000;
const SHA = /^[0-9a-f]{40,64}$/;
/** Running workspaces checked per tick, so a tick stays O(batch). */
export const GIT_BATCH = 100;
/** Candidates read to pick the batch from, least recently checked first. */
export const GIT_CANDIDATES = 4 * GIT_BATCH;
/**
 * Remote checks of one organization in flight at once. Its VMs run its commands and it can make
 * them hang (a remote that never answers); with one at a time it holds one of git polling's slots
 * at most, and every other organization's polling goes on beside it.
 */
export const GIT_PER_ORGANIZATION = 1;

/** The workspaces following one repository+branch, checked against one remote head. */
interface Group {
  organizationId: string;
  rows: WorkspaceRow[];
}

/**
 * Follows each running workspace's branch: one `git ls-remote` per distinct repository+branch
 * (run in one of its VMs, so any URL the VMs can reach works; a private repository's through the
 * VM's credential helper), then a fast-forward-only update in each workspace that is not at that
 * head. Local changes and diverged history are never touched; the reason is recorded as the
 * workspace's sync status. Every workspace checked also has its unsaved work counted (uncommitted
 * and untracked files, commits on no remote branch, stashes), in the same command.
 *
 * Fairness: the batch is taken round-robin by organization from the least recently checked
 * candidates, and one organization has at most GIT_PER_ORGANIZATION check in flight, so its slow
 * VMs delay only its own polling. Each command's timeout shrinks with the budget (never below
 * MIN_EXEC_TIMEOUT_MS). Workspaces idle auto-stop is about to stop are left to it.
 */
export async function gitPollJob(deps: Deps, budget: JobBudget = unbudgeted()) {
  const now = deps.now();
  const candidates = await deps.db
    .select()
    .from(ws)
    // Same predicate and order as cloud_workspaces_git_batch_idx, and a filter on its rows.
    .where(
      and(
        eq(ws.status, "running"),
        isNotNull(ws.providerVmId),
        or(isNull(ws.autoStopAt), gt(ws.autoStopAt, now)),
      ),
    )
    .orderBy(sql`${ws.syncCheckedAt} asc nulls first`, asc(ws.id))
    .limit(GIT_CANDIDATES);
  const batch = roundRobinBy(candidates, (row) => row.organizationId, GIT_BATCH);
  const groups = new Map<string, Group>();
  for (const row of batch) {
    const key = `${row.repositoryId}\u0000${row.branch}`;
    const group = groups.get(key) ?? { organizationId: row.organizationId, rows: [] };
    group.rows.push(row);
    groups.set(key, group);
  }
  const tally = { remoteChecks: 0, synced: 0, failed: 0, timedOut: 0, left: 0 };
  const execTimeout = () => Math.min(EXEC_TIMEOUT_MS, Math.max(MIN_EXEC_TIMEOUT_MS, remainingMs(budget)));

  const checkGroup = async ({ rows }: Group) => {
    const first = rows[0]!;
    let remoteSha: string;
    try {
      tally.remoteChecks++;
      const out = await deps
        .providers(first.providerType)
        .exec(first.providerVmId!, remoteHeadCommand(first.branch), execTimeout());
      remoteSha = out.stdout.trim();
      if (!SHA.test(remoteSha)) {
        if (out.exitCode === null) tally.timedOut++;
        const repoUrl = await repositoryUrlOf(deps, first.repositoryId);
        throw new Error(
          describeRemoteHeadFailure(first.branch, out, repoUrl ? repositoryHostOf(repoUrl) : null),
        );
      }
    } catch (err) {
      if (err instanceof ProviderError && err.code === "TIMEOUT") tally.timedOut++;
      tally.failed += rows.length;
      await recordError(deps, rows, err);
      return;
    }
    for (const [i, row] of rows.entries()) {
      // Out of budget: the rest of the group waits for the next tick, still first in line.
      if (remainingMs(budget) === 0) {
        tally.left += rows.length - i;
        return;
      }
      try {
        const outcome = await syncOne(deps, row, remoteSha, execTimeout());
        if (outcome === "synced") tally.synced++;
        if (outcome === "timed-out") tally.timedOut++;
      } catch (err) {
        tally.failed++;
        logError(`git sync of ${row.id} failed:`, err);
      }
    }
  };

  const { unstarted } = await fanOut([...groups.values()], checkGroup, budget, {
    keyOf: (group) => group.organizationId,
    perKey: GIT_PER_ORGANIZATION,
  });
  // What waits for the next tick is counted in workspaces, as the batch is.
  for (const group of unstarted) tally.left += group.rows.length;
  return { groups: groups.size, ...tally };
}

/**
 * One workspace: its unsaved work counted and, unless it is known to be at `remoteSha` already, a
 * fast-forward — one command in its VM, under the operation lock.
 */
async function syncOne(
  deps: Deps,
  candidate: WorkspaceRow,
  remoteSha: string,
  timeoutMs: number,
): Promise<"synced" | "checked" | "timed-out" | "busy"> {
  const row = await acquireOperation(deps, candidate.id, "git-sync", eq(ws.status, "running"));
  if (!row) return "busy";
  const atHead = row.syncStatus === "up_to_date" && row.localHeadSha === remoteSha;
  try {
    const work = unsavedWorkCommand({ fetch: false });
    const command = atHead ? work : `${work}\n${syncCommand(row.branch, remoteSha)}`;
    const out = await deps.providers(row.providerType).exec(row.providerVmId!, command, timeoutMs);
    const report = parseWorkReport(out.stdout);
    const counts =
      report.kind === "checked"
        ? {
            uncommittedFiles: report.work.uncommittedFiles,
            untrackedFiles: report.work.untrackedFiles,
            unpushedCommits: report.work.unpushedCommits,
            stashes: report.work.stashes,
          }
        : {};
    if (atHead) {
      await finishOperation(deps, row.id, "git-sync", { ...counts, syncCheckedAt: deps.now() }, polling);
      return out.exitCode === null ? "timed-out" : "checked";
    }
    const repoUrl = await repositoryUrlOf(deps, row.repositoryId);
    const outcome = parseSyncReport(
      out.stdout,
      out.stderr,
      out.exitCode,
      repoUrl ? repositoryHostOf(repoUrl) : null,
    );
    await finishOperation(
      deps,
      row.id,
      "git-sync",
      {
        ...counts,
        syncStatus: outcome.status,
        syncMessage: outcome.message,
        localHeadSha: outcome.localSha ?? row.localHeadSha,
        remoteHeadSha: outcome.remoteSha ?? remoteSha,
        syncCheckedAt: deps.now(),
      },
      polling,
    );
    return out.exitCode === null ? "timed-out" : "synced";
  } catch (err) {
    await finishOperation(
      deps,
      row.id,
      "git-sync",
      {
        syncStatus: "error",
        syncMessage: failureText(err),
        syncCheckedAt: deps.now(),
      },
      polling,
    );
    throw err;
  }
}

async function recordError(deps: Deps, rows: WorkspaceRow[], err: unknown) {
  const message = failureText(err);
  for (const row of rows) {
    await changeWorkspace(
      deps,
      and(eq(ws.id, row.id), sql`${ws.operation} is null`),
      { syncStatus: "error", syncMessage: message, syncCheckedAt: deps.now() },
      polling,
    );
  }
}
