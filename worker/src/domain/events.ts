import type {
  EventActor,
  EventData,
  EventType,
  GitSyncStatus,
  StatusChangeReason,
  SystemProcess,
  WorkspaceStatus,
} from "@cw/contracts";

/**
 * What the event log records, decided purely: the events a workspace change makes, and who is
 * named as having made it. Services write them in the change's own transaction (event-log.ts).
 */

/** One event to record: its type, the workspace it concerns (if any) and its type's data. */
export type NewEvent = {
  [T in EventType]: { type: T; workspaceId: string | null; data: EventData<T> };
}[EventType];

export const userActor = (caller: { userId: string; tokenId: string | null }): EventActor => ({
  type: "user",
  userId: caller.userId,
  tokenId: caller.tokenId,
});

export const systemActor = (process: SystemProcess): EventActor => ({ type: "system", process });

/**
 * Who changed a workspace and, should its status change, why. `reason` defaults to what the actor
 * means: a user's call, or the process's own purpose; failures name theirs.
 */
export interface ChangeCause {
  actor: EventActor;
  reason?: StatusChangeReason;
}

const purpose: Partial<Record<SystemProcess, StatusChangeReason>> = {
  provisioning: "provisioned",
  "auto-stop": "auto_stop",
};

export function reasonOf(cause: ChangeCause): StatusChangeReason {
  if (cause.reason) return cause.reason;
  return cause.actor.type === "user" ? "user" : (purpose[cause.actor.process] ?? "reconcile");
}

export interface WorkspaceState {
  id: string;
  status: WorkspaceStatus;
  statusMessage: string | null;
  syncStatus: GitSyncStatus;
  syncMessage: string | null;
}

/** The events of one workspace's change from `before` to `after`: status and git sync, when they moved. */
export function workspaceChangeEvents(
  before: WorkspaceState,
  after: WorkspaceState,
  cause: ChangeCause,
): NewEvent[] {
  const events: NewEvent[] = [];
  if (before.status !== after.status)
    events.push({
      type: "workspace.status_changed",
      workspaceId: after.id,
      data: { from: before.status, to: after.status, reason: reasonOf(cause), message: after.statusMessage },
    });
  if (before.syncStatus !== after.syncStatus)
    events.push({
      type: "workspace.sync_changed",
      workspaceId: after.id,
      data: { from: before.syncStatus, to: after.syncStatus, message: after.syncMessage },
    });
  return events;
}
