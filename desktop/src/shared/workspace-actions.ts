import type { WorkspaceRow, WorkspaceStatus } from "../core/workspace-store.ts";

/**
 * Which actions the desktop offers for a workspace, per status — every status × action decided
 * here so the compiler catches a new status. It mirrors the worker's state machine as a hint for
 * the UI only; the worker decides, and a refused action comes back as a 409 shown to the user.
 */
export type UiAction = "pause" | "resume" | "stop" | "delete" | "terminal";

const table: Record<WorkspaceStatus, Record<UiAction, boolean>> = {
  provisioning: { pause: false, resume: false, stop: false, delete: true, terminal: false },
  running: { pause: true, resume: false, stop: true, delete: true, terminal: true },
  paused: { pause: false, resume: true, stop: true, delete: true, terminal: false },
  stopped: { pause: false, resume: true, stop: false, delete: true, terminal: false },
  error: { pause: false, resume: true, stop: true, delete: true, terminal: false },
};

/** Actions offered now: none while a provider operation is in flight. */
export function uiActions(row: Pick<WorkspaceRow, "status" | "operation">): UiAction[] {
  if (row.operation) return [];
  const allowed = table[row.status];
  return (Object.keys(allowed) as UiAction[]).filter((a) => allowed[a]);
}

export const statusLabel: Record<WorkspaceStatus, string> = {
  provisioning: "Provisioning…",
  running: "Running",
  paused: "Paused",
  stopped: "Stopped",
  error: "Error",
};
