import { actionsInStatus } from "@cw/contracts/status-table";
import type { WorkspaceAction, WorkspaceStatus } from "@cw/contracts/types";
import type { WorkspaceRow } from "../core/workspace-store.ts";

/**
 * Which actions the desktop offers for a workspace: the contract's status table (the worker's
 * own), plus a terminal while it runs (SSH credentials need a running workspace). A hint for the UI
 * only: the worker decides, and a refused action comes back as a 409 shown to the user.
 */
export type UiAction = WorkspaceAction | "terminal";

/** Actions offered now: none while a provider operation is in flight. */
export function uiActions(row: Pick<WorkspaceRow, "status" | "operation">): UiAction[] {
  if (row.operation) return [];
  const actions: UiAction[] = actionsInStatus(row.status);
  return row.status === "running" ? [...actions, "terminal"] : actions;
}

export const statusLabel: Record<WorkspaceStatus, string> = {
  provisioning: "Provisioning…",
  running: "Running",
  paused: "Paused",
  stopped: "Stopped",
  error: "Error",
};
