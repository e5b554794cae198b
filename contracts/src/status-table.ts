import {
  type WorkspaceAction,
  type WorkspaceStatus,
  workspaceActionValues,
  workspaceStatusValues,
} from "./enums.ts";

/**
 * The workspace status machine: every status × action decided in one table (spec:
 * STATE_MACHINE.md beside this file). The worker enforces it; clients derive what they offer from
 * it. Pure data and functions with no dependencies, so the desktop's page may import it too.
 */

/** Where a successful action lands the workspace. */
export interface Transition {
  to: WorkspaceStatus | "deleted";
}

const pause: Transition = { to: "paused" };
const resume: Transition = { to: "running" };
const stop: Transition = { to: "stopped" };
const remove: Transition = { to: "deleted" };

/** `null` means the action is refused in that status (HTTP 409). */
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
  return workspaceActionValues.filter((action) => transitionFor(ws, action) !== null);
}

/** The actions a status allows, for a client that does not know whether the workspace has a VM. */
export function actionsInStatus(status: WorkspaceStatus): WorkspaceAction[] {
  return workspaceActionValues.filter((action) => transitions[status][action] !== null);
}

/** Statuses from which `action` is allowed; the guard of the conditional update that takes the lock. */
export function statusesAllowing(action: WorkspaceAction): WorkspaceStatus[] {
  return workspaceStatusValues.filter((status) => transitions[status][action] !== null);
}
