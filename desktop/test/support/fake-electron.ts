/**
 * Just enough of Electron's main-process API to load `src/main/index.ts` in plain Node and watch
 * what it does (the real binary cannot be installed here). Everything is recorded on `fake`.
 */
type Handler = (event: unknown, ...args: unknown[]) => unknown;

export const fake = {
  /** Set by the test before it loads main (main reads it right after start-up). */
  userData: String((globalThis as Record<string, unknown>).__fakeElectronUserData ?? ""),
  ready: Promise.resolve(),
  handlers: new Map<string, Handler>(),
  windows: [] as FakeBrowserWindow[],
  menus: [] as unknown[],
  tooltips: [] as string[],
  errors: [] as string[],
  sent: [] as { webContentsId: number; channel: string; payload: unknown }[],
};
(globalThis as Record<string, unknown>).__fakeElectron = fake;

let nextId = 100;
class FakeWebContents {
  id = nextId++;
  private listeners = new Map<string, (() => void)[]>();
  url = "";
  send(channel: string, payload: unknown) {
    fake.sent.push({ webContentsId: this.id, channel, payload });
  }
  isDestroyed() {
    return false;
  }
  isLoading() {
    return false;
  }
  once(name: string, fn: () => void) {
    this.listeners.set(name, [...(this.listeners.get(name) ?? []), fn]);
  }
  on(name: string, fn: () => void) {
    this.once(name, fn);
  }
  setWindowOpenHandler() {}
}

export class FakeBrowserWindow {
  webContents = new FakeWebContents();
  loaded: { file: string; query?: Record<string, string> } | null = null;
  constructor(readonly options: Record<string, unknown>) {
    fake.windows.push(this);
  }
  static getAllWindows() {
    return fake.windows;
  }
  loadFile(file: string, opts?: { query?: Record<string, string> }) {
    this.loaded = { file, query: opts?.query };
    this.webContents.url = `file://${file}`;
    return Promise.resolve();
  }
  on() {}
  isDestroyed() {
    return false;
  }
  show() {}
  focus() {}
}

export const BrowserWindow = FakeBrowserWindow;
export const app = {
  requestSingleInstanceLock: () => true,
  quit() {},
  exit(code: number) {
    fake.errors.push(`exit ${code}`);
  },
  on() {},
  whenReady: () => fake.ready,
  getPath: () => fake.userData,
};
export const session = { defaultSession: { setPermissionRequestHandler() {} } };
export const dialog = {
  showErrorBox(title: string, text: string) {
    fake.errors.push(`${title}: ${text}`);
  },
  showOpenDialog: async () => ({ canceled: true, filePaths: [] }),
};
export class Notification {
  show() {}
  on() {}
}
export const ipcMain = {
  handle(channel: string, fn: Handler) {
    fake.handlers.set(channel, fn);
  },
};
export const safeStorage = {
  isEncryptionAvailable: () => false,
  getSelectedStorageBackend: () => "basic_text",
  encryptString: (s: string) => Buffer.from(s),
  decryptString: (b: Buffer) => b.toString(),
};
export const nativeImage = { createFromPath: () => ({ setTemplateImage() {} }) };
export const Menu = { buildFromTemplate: (template: unknown) => template };
export class Tray {
  setContextMenu(menu: unknown) {
    fake.menus.push(menu);
  }
  setToolTip(text: string) {
    fake.tooltips.push(text);
  }
}
