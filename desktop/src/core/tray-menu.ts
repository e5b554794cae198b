import type { WorkspaceStatus } from "@cw/contracts";
import type { AppState } from "../shared/ipc.ts";
import { statusLabel, uiActions } from "../shared/workspace-actions.ts";
import { type ActivityView, activityView } from "../shared/workspace-activity.ts";
import type { WorkspaceRow } from "./workspace-store.ts";

/**
 * The tray menu and tooltip as plain data, pure functions of the app state and `now` (the activity
 * they show ages: "alice (desktop, 12 min)"). Main turns them into an Electron `Menu` and tooltip,
 * routes each item's `command` back, and draws them again every TRAY_REFRESH_MS; tests check them
 * without Electron.
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
/** At most this many people, and holds, listed in a workspace's submenu. */
export const TRAY_MAX_LISTED = 5;
/** At most this many running workspaces in the tooltip (Windows shows only its first 127 characters). */
export const TOOLTIP_MAX_WORKSPACES = 4;
/** The activity's words change by the minute ("12 min", "in 5 min"): main redraws the tray this often. */
export const TRAY_REFRESH_MS = 60_000;

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? "" : "s"}`;

export function workspaceLabel(w: WorkspaceRow, activity: ActivityView): string {
  const people = w.connectedCount > 0 ? ` · ${w.connectedCount} connected` : "";
  const holds = activity.holds.length > 0 ? ` · ${plural(activity.holds.length, "hold")}` : "";
  const busy = w.operation ? ` (${w.operation}…)` : "";
  return `${statusBadge[w.status]} ${w.name} — ${w.branch} · ${statusLabel[w.status]}${busy}${people}${holds}`;
}

/** The first `max` lines, and how many more there are. */
function capped(lines: string[], max: number): string[] {
  return lines.length > max ? [...lines.slice(0, max), `${lines.length - max} more…`] : lines;
}

/** Why it runs, who is connected and the holds on it: the top of a workspace's submenu. */
function activityItems(activity: ActivityView): TrayItem[] {
  const people = activity.people.map((p) => `${p.name} (${p.clientType}, since ${p.since})`);
  const holds = activity.holds.map((h) => `Hold '${h.reason}' by ${h.by} until ${h.until}`);
  const lines = [
    ...(activity.line ? [activity.line] : []),
    ...capped(people, TRAY_MAX_LISTED),
    ...capped(holds, TRAY_MAX_LISTED),
  ];
  if (lines.length === 0) return [];
  return [...lines.map((label): TrayItem => ({ kind: "label", label })), { kind: "separator" }];
}

function workspaceItem(w: WorkspaceRow, now: Date): TrayItem {
  const activity = activityView(w, now);
  const allowed = new Set(uiActions(w));
  const act = (action: "pause" | "resume" | "stop" | "terminal", label: string): TrayItem => ({
    kind: "action",
    label,
    command: { type: "workspace", action, workspaceId: w.id },
    enabled: allowed.has(action),
  });
  const items: TrayItem[] = [
    ...activityItems(activity),
    act("terminal", "Open terminal"),
    { kind: "separator" },
  ];
  // Offer only what the status allows; an empty submenu would look broken, so keep disabled items.
  if (w.status === "running") items.push(act("pause", "Pause"), act("stop", "Stop"));
  else items.push(act("resume", "Resume"), act("stop", "Stop"));
  if (w.status === "error" && w.statusMessage)
    items.push({ kind: "separator" }, { kind: "label", label: w.statusMessage });
  return { kind: "submenu", label: workspaceLabel(w, activity), items };
}

export function trayMenuModel(
  state: Pick<AppState, "configured" | "store" | "problem">,
  now: Date,
): TrayItem[] {
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
    for (const w of state.store.workspaces.slice(0, TRAY_MAX_WORKSPACES)) items.push(workspaceItem(w, now));
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

/**
 * "Cloud workspaces — 2 running of 3", then one line per running workspace saying why it runs or
 * when it stops: "my-feature: running because alice (desktop, 12 min) and a hold 'nightly build'
 * until 18:00", "api: idle: auto-pause at 17:45 (in 12 min)".
 */
export function trayTooltip(state: Pick<AppState, "configured" | "store" | "problem">, now: Date): string {
  if (!state.configured || !state.store) return "Cloud workspaces";
  if (state.problem) return `Cloud workspaces — ⚠ ${state.problem}`;
  const all = state.store.workspaces;
  const running = all.filter((w) => w.status === "running");
  const offline = state.store.connection === "offline" ? " (offline: last known state)" : "";
  const lines = running.map((w) => `${w.name}: ${activityView(w, now).line}`);
  return [
    `Cloud workspaces — ${running.length} running of ${all.length}${offline}`,
    ...capped(lines, TOOLTIP_MAX_WORKSPACES),
  ].join("\n");
}
