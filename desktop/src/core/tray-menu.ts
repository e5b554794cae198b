import type { WorkspaceStatus } from "@cw/contracts";
import type { AppState } from "../shared/ipc.ts";
import { statusLabel, uiActions } from "../shared/workspace-actions.ts";
import type { WorkspaceRow } from "./workspace-store.ts";

/**
 * The tray menu as plain data, a pure function of the app state. Main turns it into an Electron
 * `Menu` and routes each item's `command` back; tests check it without Electron.
 */
export type TrayCommand =
  | { type: "open-window" }
  | { type: "new-workspace" }
  | { type: "enable-cloud" }
  | { type: "quit" }
  | { type: "workspace"; action: "pause" | "resume" | "stop" | "terminal"; workspaceId: string };

export type TrayItem =
  | { kind: "label"; label: string }
  | { kind: "separator" }
  | { kind: "action"; label: string; command: TrayCommand; enabled: boolean }
  | { kind: "submenu"; label: string; items: TrayItem[] };

export const statusBadge: Record<WorkspaceStatus, string> = {
  provisioning: "◌",
  running: "●",
  paused: "◐",
  stopped: "○",
  error: "✕",
};

/** At most this many workspaces in the menu; the rest are one "open the window" item away. */
export const TRAY_MAX_WORKSPACES = 12;

export function workspaceLabel(w: WorkspaceRow): string {
  const people = w.connectedCount > 0 ? ` · ${w.connectedCount} connected` : "";
  const busy = w.operation ? ` (${w.operation}…)` : "";
  return `${statusBadge[w.status]} ${w.name} — ${w.branch} · ${statusLabel[w.status]}${busy}${people}`;
}

function workspaceItem(w: WorkspaceRow): TrayItem {
  const allowed = new Set(uiActions(w));
  const act = (action: "pause" | "resume" | "stop" | "terminal", label: string): TrayItem => ({
    kind: "action",
    label,
    command: { type: "workspace", action, workspaceId: w.id },
    enabled: allowed.has(action),
  });
  const items: TrayItem[] = [act("terminal", "Open terminal"), { kind: "separator" }];
  // Offer only what the status allows; an empty submenu would look broken, so keep disabled items.
  if (w.status === "running") items.push(act("pause", "Pause"), act("stop", "Stop"));
  else items.push(act("resume", "Resume"), act("stop", "Stop"));
  if (w.status === "error" && w.statusMessage)
    items.push({ kind: "separator" }, { kind: "label", label: w.statusMessage });
  return { kind: "submenu", label: workspaceLabel(w), items };
}

export function trayMenuModel(state: Pick<AppState, "configured" | "store" | "problem">): TrayItem[] {
  const items: TrayItem[] = [];
  if (!state.configured) {
    items.push({ kind: "label", label: "Not set up: add the API URL and a token" });
  } else if (state.problem) {
    items.push({ kind: "label", label: `⚠ ${state.problem}` });
  } else if (state.store) {
    if (state.store.connection === "offline")
      items.push({ kind: "label", label: "Offline — last known state" });
    if (state.store.connection === "connecting" && state.store.workspaces.length === 0)
      items.push({ kind: "label", label: "Loading workspaces…" });
    else if (state.store.workspaces.length === 0) items.push({ kind: "label", label: "No workspaces yet" });
    for (const w of state.store.workspaces.slice(0, TRAY_MAX_WORKSPACES)) items.push(workspaceItem(w));
    const more = state.store.workspaces.length - TRAY_MAX_WORKSPACES;
    if (more > 0)
      items.push({
        kind: "action",
        label: `${more} more… (open window)`,
        command: { type: "open-window" },
        enabled: true,
      });
  }
  items.push(
    { kind: "separator" },
    {
      kind: "action",
      label: "New cloud workspace…",
      command: { type: "new-workspace" },
      enabled: state.configured,
    },
    {
      kind: "action",
      label: "Enable cloud for a folder…",
      command: { type: "enable-cloud" },
      enabled: state.configured,
    },
    { kind: "action", label: "Open window", command: { type: "open-window" }, enabled: true },
    { kind: "separator" },
    { kind: "action", label: "Quit", command: { type: "quit" }, enabled: true },
  );
  return items;
}

export function trayTooltip(state: Pick<AppState, "configured" | "store">): string {
  if (!state.configured || !state.store) return "Cloud workspaces";
  const running = state.store.workspaces.filter((w) => w.status === "running").length;
  return `Cloud workspaces — ${running} running of ${state.store.workspaces.length}`;
}
