import type { WorkspaceRow } from "../services/workspace-rows.ts";
import { allowedActions } from "./state-machine.ts";

/** A workspace as the API shows it: no lock internals, plus what a client may do next. */
export function workspaceView(row: WorkspaceRow) {
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
    lastActiveAt: row.lastActiveAt.toISOString(),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export type WorkspaceView = ReturnType<typeof workspaceView>;

/**
 * The provider's own idle suspend is a backstop for when our scheduler is down, so it is set to
 * twice the workspace's auto-stop window; 0 (never auto-stop) disables it too.
 */
export function providerIdleTimeoutSeconds(autoStopMinutes: number): number | null {
  return autoStopMinutes === 0 ? null : autoStopMinutes * 60 * 2;
}
