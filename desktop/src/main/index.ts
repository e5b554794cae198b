import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { makePrivateDir } from "@cw/client-node/private-files";
import { app, dialog, Notification, session } from "electron";
import { planAutoStopWarnings, warningText } from "../core/auto-stop-warning.ts";
import { createDesktopBackend, type DesktopBackend } from "../core/backend/desktop-backend.ts";
import { storeIn } from "../core/backend/store-choice.ts";
import { createIpcHandlers } from "../core/ipc-handlers.ts";
import { loadSettings, type Settings, saveSettings } from "../core/settings.ts";
import { fileHostKeyStore } from "../core/ssh/host-keys.ts";
import { chooseTokenStore } from "../core/token-store.ts";
import { TRAY_REFRESH_MS, type TrayCommand, trayMenuModel, trayTooltip } from "../core/tray-menu.ts";
import { type AppState, eventChannels, type WindowCommand } from "../shared/ipc.ts";
import { registerIpc } from "./ipc.ts";
import { safeStorageCipher } from "./safe-storage.ts";
import { createTray, updateTray } from "./tray.ts";
import { allWindows, openTerminalWindow, showListWindow } from "./windows.ts";

/**
 * The Electron shell: settings, token storage, the backend, tray, windows, notifications. All
 * decisions live in `core/`; this file only wires them to Electron.
 */
if (!app.requestSingleInstanceLock()) app.quit();

const trayIcon = fileURLToPath(new URL("./assets/trayTemplate.png", import.meta.url));

// Nothing in this app navigates, opens windows from pages or embeds webviews.
app.on("web-contents-created", (_event, contents) => {
  contents.setWindowOpenHandler(() => ({ action: "deny" }));
  contents.on("will-navigate", (event) => event.preventDefault());
  contents.on("will-attach-webview", (event) => event.preventDefault());
});

async function main(): Promise<void> {
  await app.whenReady();
  // Terminal copy/paste is the only permission a page of ours asks for.
  session.defaultSession.setPermissionRequestHandler((_wc, permission, grant) =>
    grant(permission === "clipboard-read" || permission === "clipboard-sanitized-write"),
  );

  const dir = app.getPath("userData");
  // Settings, token, pins, the synced store, and Electron's own profile: the user's alone.
  await makePrivateDir(dir);
  const settingsFile = join(dir, "settings.json");
  let settings: Settings;
  try {
    settings = await loadSettings(settingsFile, process.env);
  } catch (err) {
    dialog.showErrorBox("Cloud workspaces: settings", (err as Error).message);
    app.exit(1);
    return;
  }

  const tray = createTray(trayIcon);
  let warned = new Map<string, string>();
  let warningTimer: ReturnType<typeof setTimeout> | null = null;
  let backend: DesktopBackend | null = null;

  const runTray = (command: TrayCommand) => void handleTrayCommand(command);
  const drawTray = (state: AppState) => {
    const now = new Date();
    updateTray(tray, trayMenuModel(state, now), trayTooltip(state, now), runTray);
  };
  // The activity's words age by the minute ("12 min", "in 5 min") with no change to sync.
  setInterval(() => backend && drawTray(backend.state()), TRAY_REFRESH_MS).unref();
  const onState = (state: AppState) => {
    drawTray(state);
    for (const win of allWindows()) win.webContents.send(eventChannels.appState, state);
    scheduleWarnings(state);
  };

  function scheduleWarnings(state: AppState): void {
    if (warningTimer) clearTimeout(warningTimer);
    warningTimer = null;
    const plan = planAutoStopWarnings(
      state.store?.workspaces ?? [],
      warned,
      new Date(),
      settings.autoStopWarningMinutes,
    );
    warned = plan.warned;
    for (const w of plan.warnings) {
      const text = warningText(w);
      const note = new Notification({
        title: text.title,
        body: process.platform === "darwin" ? text.body : `${text.body} (Click to keep it alive.)`,
        actions: [{ type: "button", text: "Keep alive" }],
      });
      const keep = () =>
        backend
          ?.keepAlive(w.workspaceId)
          .catch((err) => dialog.showErrorBox("Keep alive failed", (err as Error).message));
      note.on("action", keep);
      note.on("click", keep);
      note.show();
    }
    if (plan.nextCheckAt) {
      const delay = Math.max(1_000, plan.nextCheckAt.getTime() - Date.now());
      warningTimer = setTimeout(() => backend && scheduleWarnings(backend.state()), delay);
    }
  }

  function sendCommand(command: WindowCommand): void {
    const win = showListWindow();
    const send = () => win.webContents.send(eventChannels.command, command);
    if (win.webContents.isLoading()) win.webContents.once("did-finish-load", send);
    else send();
  }

  async function handleTrayCommand(command: TrayCommand): Promise<void> {
    switch (command.type) {
      case "open-window":
        showListWindow();
        return;
      case "new-workspace":
        return sendCommand("new-workspace");
      case "enable-cloud":
        return sendCommand("enable-cloud");
      case "quit":
        app.quit();
        return;
      case "workspace":
        if (command.action === "terminal") {
          openTerminalWindow(command.workspaceId);
          return;
        }
        try {
          await backend?.lifecycle(command.action, command.workspaceId);
        } catch (err) {
          dialog.showErrorBox(`Could not ${command.action} the workspace`, (err as Error).message);
        }
    }
  }

  backend = await createDesktopBackend({
    settings,
    saveSettings: async (next) => {
      settings = next;
      await saveSettings(settingsFile, next);
    },
    tokens: chooseTokenStore(dir, safeStorageCipher()),
    hostKeys: fileHostKeyStore(join(dir, "host-keys.json")),
    openStore: storeIn(dir),
    ui: {
      openTerminalWindow: (id) => void openTerminalWindow(id),
      async chooseFolder() {
        const result = await dialog.showOpenDialog({
          properties: ["openDirectory"],
          title: "Choose a git worktree",
        });
        return result.canceled ? null : (result.filePaths[0] ?? null);
      },
      async confirmHostKey({ workspaceName, detail }) {
        const answer = await dialog.showMessageBox({
          type: "warning",
          title: "SSH host key changed",
          message: `${workspaceName} answers with an SSH host key not seen for it before. Trust it and connect?`,
          detail,
          buttons: ["Cancel", "Trust and connect"],
          defaultId: 0,
          cancelId: 0,
        });
        return answer.response === 1;
      },
    },
    onState,
  });
  const b = backend;
  registerIpc(createIpcHandlers(b), (callerId) => b.releaseCaller(callerId));
  onState(b.state());
  if (!b.state().configured) showListWindow();

  app.on("second-instance", () => showListWindow());
  // A tray app: closing the last window keeps it running.
  app.on("window-all-closed", () => {});
  let closing = false;
  app.on("before-quit", (event) => {
    if (closing) return;
    closing = true;
    event.preventDefault();
    // Leave presence sessions so the workspaces may auto-stop again, then really quit.
    void b.close().finally(() => app.quit());
  });
}

main().catch((err) => {
  dialog.showErrorBox(
    "Cloud workspaces failed to start",
    err instanceof Error ? (err.stack ?? err.message) : String(err),
  );
  app.exit(1);
});
