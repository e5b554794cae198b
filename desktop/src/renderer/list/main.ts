import type { AppState, WindowCommand } from "../../shared/ipc.ts";
import { byId, desktopApi } from "../dom.ts";
import { enableCloudForm } from "./enable-cloud-form.ts";
import { showError } from "./errors.ts";
import { newWorkspaceForm } from "./new-workspace-form.ts";
import { RowActions } from "./row-actions.ts";
import { wireSetupForm } from "./setup-form.ts";
import { renderStatus } from "./status-bar.ts";
import { WorkspaceTable } from "./workspace-table.ts";

/**
 * The list window: workspaces with their state and actions, the create and enable-cloud forms,
 * setup. This file wires the parts together and redraws on every state change.
 */
const api = desktopApi();
let state: AppState | null = null;
let settingsOpen = false;

const rowActions = new RowActions(
  api,
  (id) => state?.store?.workspaces.find((w) => w.id === id),
  () => render(),
);
const table = new WorkspaceTable(byId("workspace-rows"), (id, action) => void rowActions.run(id, action));
const newWorkspace = newWorkspaceForm(api);
const enableCloud = enableCloudForm(api);

function render(): void {
  if (!state) return;
  renderStatus(state, settingsOpen);
  table.update(state.store?.workspaces ?? [], rowActions.busy, new Date());
}

function showState(next: AppState): void {
  state = next;
  render();
}

function openSettings(open: boolean): void {
  settingsOpen = open;
  render();
}

wireSetupForm({
  api,
  savedApiUrl: () => state?.apiUrl ?? null,
  onConfigured(next) {
    settingsOpen = false;
    showState(next);
  },
});

// (forEach, not for…of over a NodeList: it needs DOM.Iterable.)
document.querySelectorAll<HTMLDialogElement>("dialog").forEach((dialog) => {
  dialog.querySelectorAll<HTMLButtonElement>("[data-cancel]").forEach((cancel) => {
    cancel.addEventListener("click", () => dialog.close());
  });
});
byId("new-workspace-button").addEventListener("click", () => void newWorkspace.open());
byId("enable-cloud-button").addEventListener("click", () => enableCloud.open());
byId("settings-button").addEventListener("click", () => openSettings(!settingsOpen));

function runCommand(command: WindowCommand): void {
  if (command === "new-workspace") void newWorkspace.open();
  else if (command === "enable-cloud") enableCloud.open();
  else openSettings(true);
}

api.app.onState(showState);
api.app.onCommand(runCommand);
api.app.state().then(
  (s) => {
    showState(s);
    document.body.dataset.ready = "true";
  },
  (err) => showError("Loading", err),
);
// Relative times ("in 4 min") age; redraw now and then.
setInterval(render, 30_000);
