import { schema } from "@cw/db";
import { and, asc, eq, isNotNull, sql } from "drizzle-orm";
import { type ChangeCause, systemActor } from "../domain/events.ts";
import { repositoryHostOf } from "../domain/git-host.ts";
import {
  describeRemoteHeadFailure,
  parseSyncReport,
  remoteHeadCommand,
  syncCommand,
} from "../domain/git-sync.ts";
import { parseWorkReport, unsavedWorkCommand } from "../domain/unsaved-work.ts";
import { logError } from "../safe-log.ts";
import type { Deps } from "../services/deps.ts";
import { repositoryUrlOf } from "../services/vm-checkout.ts";
import {
  acquireOperation,
  changeWorkspace,
  finishOperation,
  type WorkspaceRow,
} from "../services/workspace-rows.ts";

const ws = schema.cloudWorkspaces;
const polling: ChangeCause = { actor: systemActor("git-poll") };
const EXEC_TIMEOUT_MS = 20_000;
const SHA = /^[0-9a-f]{40,64}$/;
/** Running workspaces checked per tick, least recently checked first, so a tick stays O(batch). */
export const GIT_BATCH = 100;

/**
 * Follows each running workspace's branch: one `git ls-remote` per distinct repository+branch
 * (run in one of its VMs, so any URL the VMs can reach works; a private repository's through the
 * VM's credential helper), then a fast-forward-only update in each workspace that is not at that
 * head. Local changes and diverged history are never touched; the reason is recorded as the
 * workspace's sync status. Every workspace checked also has its unsaved work counted (uncommitted
 * and untracked files, commits on no remote branch, stashes), in the same command.
 */
export async function gitPollJob(deps: Deps) {
  const running = await deps.db
    .select()
    .from(ws)
    // Same predicate and order as cloud_workspaces_git_batch_idx.
    .where(and(eq(ws.status, "running"), isNotNull(ws.providerVmId)))
    .orderBy(sql`${ws.syncCheckedAt} asc nulls first`, asc(ws.id))
    .limit(GIT_BATCH);
  const groups = new Map<string, WorkspaceRow[]>();
  for (const row of running) {
    const key = `${row.repositoryId}\u0000${row.branch}`;
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  let remoteChecks = 0;
  let synced = 0;
  let failed = 0;
  for (const rows of groups.values()) {
    const first = rows[0]!;
    let remoteSha: string;
    try {
      remoteChecks++;
      const out = await deps
        .providers(first.providerType)
        .exec(first.providerVmId!, remoteHeadCommand(first.branch), EXEC_TIMEOUT_MS);
      remoteSha = out.stdout.trim();
      if (!SHA.test(remoteSha)) {
        const repoUrl = await repositoryUrlOf(deps, first.repositoryId);
        throw new Error(
          describeRemoteHeadFailure(first.branch, out, repoUrl ? repositoryHostOf(repoUrl) : null),
        );
      }
    } catch (err) {
      failed += rows.length;
      await recordError(deps, rows, err);
      continue;
    }
    for (const row of rows) {
      try {
        if (await syncOne(deps, row, remoteSha)) synced++;
      } catch (err) {
        failed++;
        logError(`git sync of ${row.id} failed:`, err);
      }
    }
  }
  return { groups: groups.size, remoteChecks, synced, failed };
}

/**
 * One workspace: its unsaved work counted and, unless it is known to be at `remoteSha` already, a
 * fast-forward — one command in its VM, under the operation lock.
 */
async function syncOne(deps: Deps, candidate: WorkspaceRow, remoteSha: string): Promise<boolean> {
  const row = await acquireOperation(deps, candidate.id, "git-sync", eq(ws.status, "running"));
  if (!row) return false;
  const atHead = row.syncStatus === "up_to_date" && row.localHeadSha === remoteSha;
  try {
    const work = unsavedWorkCommand({ fetch: false });
    const command = atHead ? work : `${work}\n${syncCommand(row.branch, remoteSha)}`;
    const out = await deps.providers(row.providerType).exec(row.providerVmId!, command, EXEC_TIMEOUT_MS);
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
      return false;
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
    return true;
  } catch (err) {
    await finishOperation(
      deps,
      row.id,
      "git-sync",
      {
        syncStatus: "error",
        syncMessage: err instanceof Error ? err.message : String(err),
        syncCheckedAt: deps.now(),
      },
      polling,
    );
    throw err;
  }
}

async function recordError(deps: Deps, rows: WorkspaceRow[], err: unknown) {
  const message = err instanceof Error ? err.message : String(err);
  for (const row of rows) {
    await changeWorkspace(
      deps,
      and(eq(ws.id, row.id), sql`${ws.operation} is null`),
      { syncStatus: "error", syncMessage: message, syncCheckedAt: deps.now() },
      polling,
    );
  }
}
