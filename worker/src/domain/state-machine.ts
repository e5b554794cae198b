import type { WorkspaceStatus } from "@cw/db/schema";

/** What a user (or the scheduler) can ask of a workspace. */
export const workspaceActions = ["pause", "resume", "stop", "delete"] as const;
export type WorkspaceAction = (typeof workspaceActions)[number];

/** The provider call an action makes, and the status the workspace lands in when it succeeds. */
export interface Transition {
  call: "suspend" | "start" | "stop" | "delete";
  to: WorkspaceStatus | "deleted";
}

const pause: Transition = { call: "suspend", to: "paused" };
const resume: Transition = { call: "start", to: "running" };
const stop: Transition = { call: "stop", to: "stopped" };
const remove: Transition = { call: "delete", to: "deleted" };

/**
 * Every status × action decided in one place (spec: STATE_MACHINE.md beside this file).
 * `null` means the action is refused in that status (HTTP 409).
 */
export const transitions: Record<WorkspaceStatus, Record<WorkspaceAction, Transition | null>> = {
  provisioning: { pause: null, resume: null, stop: null, delete: remove },
  running: { pause, resume: null, stop, delete: remove },
  paused: { pause: null, resume, stop, delete: remove },
  stopped: { pause: null, resume, stop: null, delete: remove },
  error: { pause: null, resume, stop, delete: remove },
};

export interface TransitionSubject {
  status: WorkspaceStatus;
  providerVmId: string | null;
}

/** The transition for `action`, or null when refused. A workspace without a VM can only be deleted. */
export function transitionFor(ws: TransitionSubject, action: WorkspaceAction): Transition | null {
  const transition = transitions[ws.status][action];
  if (!transition) return null;
  if (ws.providerVmId === null && action !== "delete") return null;
  return transition;
}

export function allowedActions(ws: TransitionSubject): WorkspaceAction[] {
  return workspaceActions.filter((action) => transitionFor(ws, action) !== null);
}

/** Statuses from which `action` is allowed; the guard of the conditional update that takes the lock. */
export function statusesAllowing(action: WorkspaceAction): WorkspaceStatus[] {
  return (Object.keys(transitions) as WorkspaceStatus[]).filter((s) => transitions[s][action] !== null);
}

/**
 * An operation lock older than this is treated as abandoned (its isolate died mid-call), so a
 * workspace can never stay locked forever. It exceeds every provider deadline.
 */
export function operationIsStale(startedAt: Date | null, now: Date, staleAfterMs: number): boolean {
  return startedAt === null || now.getTime() - startedAt.getTime() > staleAfterMs;
}
