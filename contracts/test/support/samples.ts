import { type SyncedWorkspace, toSyncedWorkspace } from "../../src/schemas/shape-row.ts";
import type { Workspace } from "../../src/schemas/workspace.ts";

/**
 * A whole workspace as the API answers it, for tests that need one without a server
 * (`@cw/contracts/test-support`). Typed by the contract, so a field added to `Workspace` is added
 * here once and every package's tests follow; a contract test checks that it parses.
 */
export function sampleWorkspace(over: Partial<Workspace> = {}): Workspace {
  return {
    id: "7f0c0d3e-8a51-4a39-9d59-1c1f1b8e0a11",
    organizationId: "00000000-0000-4000-8000-0000000000aa",
    repositoryId: "00000000-0000-4000-8000-0000000000bb",
    name: "api",
    branch: "main",
    providerType: "freestyle",
    providerVmId: "vm1",
    status: "running",
    statusMessage: null,
    operation: null,
    allowedActions: ["pause", "stop", "delete"],
    creatorId: "00000000-0000-4000-8000-0000000000cc",
    autoStopMinutes: 30,
    autoStopAction: "pause",
    autoStopAt: null,
    autoStoppedAt: null,
    connectedCount: 0,
    lastActiveAt: "2026-01-01T10:00:00.000Z",
    activity: { state: "counting_down", autoStopAt: "2026-01-01T10:30:00.000Z", sessions: [], holds: [] },
    sync: {
      status: "up_to_date",
      message: null,
      localHeadSha: null,
      remoteHeadSha: null,
      checkedAt: null,
      uncommittedFiles: null,
      untrackedFiles: null,
      unpushedCommits: null,
      stashes: null,
    },
    createdAt: "2026-01-01T09:00:00.000Z",
    updatedAt: "2026-01-01T10:00:00.000Z",
    ...over,
  };
}

/** The same workspace as it is synced and as the desktop's store keeps it. */
export function sampleSyncedWorkspace(over: Partial<SyncedWorkspace> = {}): SyncedWorkspace {
  return { ...toSyncedWorkspace(sampleWorkspace()), ...over };
}
