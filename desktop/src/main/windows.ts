import { fileURLToPath } from "node:url";
import { BrowserWindow, type WebContents } from "electron";

/**
 * Window factory with the security defaults, and the registry of our renderers: IPC from any
 * other webContents, or from a frame not showing one of our pages, is refused.
 */
const rendererDir = fileURLToPath(new URL("./renderer/", import.meta.url));
const preloadPath = fileURLToPath(new URL("./preload.cjs", import.meta.url));
const rendererUrlPrefix = new URL("./renderer/", import.meta.url).href;

const ours = new Set<number>();

function secureWindow(opts: { width: number; height: number; title: string; show?: boolean }): BrowserWindow {
  const win = new BrowserWindow({
    ...opts,
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      nodeIntegration: false,
      sandbox: true,
      webSecurity: true,
      spellcheck: false,
    },
  });
  const id = win.webContents.id;
  ours.add(id);
  win.webContents.once("destroyed", () => ours.delete(id));
  return win;
}

/** True when `sender` is one of our windows and the calling frame shows one of our pages. */
export function isTrustedSender(sender: WebContents, frameUrl: string | undefined): boolean {
  return ours.has(sender.id) && !!frameUrl && frameUrl.startsWith(rendererUrlPrefix);
}

let listWindow: BrowserWindow | null = null;

export function showListWindow(): BrowserWindow {
  if (listWindow && !listWindow.isDestroyed()) {
    listWindow.show();
    listWindow.focus();
    return listWindow;
  }
  const win = secureWindow({ width: 900, height: 560, title: "Cloud workspaces" });
  win.on("closed", () => {
    listWindow = null;
  });
  void win.loadFile(`${rendererDir}index.html`);
  listWindow = win;
  return win;
}

export function openTerminalWindow(workspaceId: string): BrowserWindow {
  const win = secureWindow({ width: 860, height: 540, title: "☁ Terminal" });
  void win.loadFile(`${rendererDir}terminal.html`, { query: { workspace: workspaceId } });
  return win;
}

export function allWindows(): BrowserWindow[] {
  return BrowserWindow.getAllWindows().filter((w) => ours.has(w.webContents.id));
}
