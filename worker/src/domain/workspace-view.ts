import { allowedActions, explainActivity, type Workspace, WorkspacePresence } from "@cw/contracts";
import type { WorkspaceRow } from "../services/workspace-rows.ts";

const nobody: WorkspacePresence = { sessions: [], holds: [] };

/** The presence the presence object last wrote through (its own writing; unreadable reads as nobody). */
export const presenceOf = (row: Pick<WorkspaceRow, "presence">): WorkspacePresence =>
  WorkspacePresence.safeParse(row.presence).data ?? nobody;

/**
 * A workspace row as the API shows it at `now` (the contract's `Workspace`): no lock internals, plus
 * what a client may do next and what keeps it running.
 */
export function workspaceView(row: WorkspaceRow, now: Date): Workspace {
  return {
    id: row.id,
    organizationId: row.organizationId,
    repositoryId: row.repositoryId,
    name: row.name,
    branch: row.branch,
    providerType: row.providerType,
    providerVmId: row.providerVmId,
    status: row.status,
    statusMessage: row.statusMessage,
    operation: row.operation,
    allowedActions: row.operation ? [] : allowedActions(row),
    creatorId: row.creatorId,
    autoStopMinutes: row.autoStopMinutes,
    autoStopAction: row.autoStopAction,
    autoStopAt: row.autoStopAt?.toISOString() ?? null,
    autoStoppedAt: row.autoStoppedAt?.toISOString() ?? null,
    connectedCount: row.connectedCount,
    lastActiveAt: row.lastActiveAt.toISOString(),
    activity: explainActivity({ ...row, presence: presenceOf(row) }, now),
    sync: {
      status: row.syncStatus,
      message: row.syncMessage,
      localHeadSha: row.localHeadSha,
      remoteHeadSha: row.remoteHeadSha,
      checkedAt: row.syncCheckedAt?.toISOString() ?? null,
      uncommittedFiles: row.uncommittedFiles,
      untrackedFiles: row.untrackedFiles,
      unpushedCommits: row.unpushedCommits,
      stashes: row.stashes,
    },
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
