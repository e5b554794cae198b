import { type ApiClient, ApiError, createApiClient } from "@cw/contracts/client";
import {
  type AddRepositoryInput,
  type AppState,
  type CreateWorkspaceInput,
  type EnableCloudInput,
  type EnableCloudResult,
  type EventChannel,
  eventChannels,
  type Repository,
  type TerminalExitEvent,
  type TerminalInfo,
  type TerminalOpenInput,
  type WorktreeInfo,
} from "../shared/ipc.ts";
import { joinPresence, type PresenceSession } from "./presence.ts";
import { parseSettings, type Settings } from "./settings.ts";
import type { HostKeyStore } from "./ssh/host-keys.ts";
import { createTerminalManager, type TerminalManager } from "./ssh/terminal-manager.ts";
import type { TokenStore } from "./token-store.ts";
import type { WorkspaceRow, WorkspaceStore } from "./workspace-store.ts";
import { enableCloud, inspectWorktree } from "./worktree.ts";

/**
 * Everything the desktop does, behind the preload API, in plain Node: main dispatches IPC calls
 * here (`ipc-handlers.ts`), and the renderer tests drive the very same object from Chromium.
 * What only Electron can do (windows, dialogs) comes in as `ui`.
 */

/** Who called: a renderer (a window's webContents in main; a page in tests). */
export interface Caller {
  readonly id: number;
  /** Push an event to this caller only; a no-op once it is gone. */
  emit(channel: EventChannel, payload: unknown): void;
}

export interface OpenedStore {
  store: WorkspaceStore;
  source: "sync" | "polling";
}

export interface StoreContext {
  api: ApiClient;
  apiUrl: string;
  token: string;
  settings: Settings;
}

export interface BackendDeps {
  settings: Settings;
  saveSettings(settings: Settings): Promise<void>;
  tokens: TokenStore;
  hostKeys: HostKeyStore;
  /** The Electric-synced store, or the polling fallback; chosen by main from the settings. */
  openStore(ctx: StoreContext): Promise<OpenedStore>;
  ui: {
    openTerminalWindow(workspaceId: string): void;
    chooseFolder(): Promise<string | null>;
  };
  /** Every state change (store snapshot, configuration, problems); main broadcasts it. */
  onState(state: AppState): void;
  fetch?: typeof fetch;
  log?: (line: string) => void;
}

interface OpenTerminal {
  caller: Caller;
  workspaceId: string;
  presence: PresenceSession;
}

interface Connection {
  api: ApiClient;
  opened: OpenedStore;
  unsubscribe: () => void;
}

export type DesktopBackend = Awaited<ReturnType<typeof createDesktopBackend>>;

export async function createDesktopBackend(deps: BackendDeps) {
  const log = deps.log ?? (() => {});
  let settings = deps.settings;
  let conn: Connection | null = null;
  let problem: string | null = null;
  const terminals = new Map<string, OpenTerminal>();
  const keepAlives = new Map<string, { presence: PresenceSession; timer: ReturnType<typeof setTimeout> }>();

  const manager: TerminalManager = createTerminalManager({
    hostKeys: deps.hostKeys,
    onData(terminalId, data) {
      terminals.get(terminalId)?.caller.emit(eventChannels.terminalData, { terminalId, data });
    },
    onExit(terminalId, exit) {
      const t = terminals.get(terminalId);
      if (!t) return;
      terminals.delete(terminalId);
      const event: TerminalExitEvent = { terminalId, ...exit };
      t.caller.emit(eventChannels.terminalExit, event);
      t.presence.leave().catch((err) => log(`leaving presence of ${t.workspaceId}: ${err}`));
    },
  });

  function state(): AppState {
    return {
      configured: conn !== null,
      apiUrl: settings.apiUrl,
      tokenStorage: deps.tokens.kind,
      listSource: conn?.opened.source ?? null,
      store: conn?.opened.store.snapshot() ?? null,
      problem,
      terminal: settings.terminal,
    };
  }
  const publish = () => deps.onState(state());

  function connected(): Connection {
    if (!conn) throw new Error("Not set up yet: enter the API URL and a token first");
    return conn;
  }

  async function disconnect(): Promise<void> {
    if (!conn) return;
    const old = conn;
    conn = null;
    old.unsubscribe();
    await old.opened.store.close();
  }

  async function connect(apiUrl: string, token: string, with_: Settings): Promise<void> {
    const api = createApiClient({ baseUrl: apiUrl, token, fetch: deps.fetch });
    // One cheap authenticated call, so a wrong URL or token is reported now, with the API's words.
    await api.listRepositories();
    // Close the old store first: both would write the same local store file.
    await disconnect();
    const opened = await deps.openStore({ api, apiUrl, token, settings: with_ });
    conn = { api, opened, unsubscribe: opened.store.subscribe(() => publish()) };
    problem = null;
  }

  /** After an action, show its result now instead of at the next poll (a synced store needs nothing). */
  async function refresh(): Promise<void> {
    const store = conn?.opened.store as (WorkspaceStore & { refresh?: () => Promise<void> }) | undefined;
    await store?.refresh?.();
  }

  function workspaceRow(id: string): WorkspaceRow | undefined {
    return conn?.opened.store.snapshot().workspaces.find((w) => w.id === id);
  }

  function ownTerminal(caller: Caller, terminalId: string): void {
    const t = terminals.get(terminalId);
    if (!t || t.caller.id !== caller.id) throw new Error("This terminal session has ended");
  }

  // Start-up: connect with what was saved; a failure is shown, not fatal (the user can fix it).
  const savedToken = await deps.tokens.read();
  if (settings.apiUrl && savedToken) {
    try {
      await connect(settings.apiUrl, savedToken, settings);
    } catch (err) {
      problem = err instanceof Error ? err.message : String(err);
    }
  }

  return {
    state,

    async configure(input: { apiUrl: string; token: string }): Promise<AppState> {
      const next = parseSettings({ ...settings, apiUrl: input.apiUrl });
      const token = input.token.trim();
      await connect(next.apiUrl!, token, next);
      settings = next;
      await deps.tokens.write(token);
      await deps.saveSettings(next);
      publish();
      return state();
    },

    listRepositories: async (): Promise<Repository[]> => (await connected().api.listRepositories()).items,

    async addRepository(input: AddRepositoryInput): Promise<Repository> {
      const name =
        input.name?.trim() ||
        input.cloneUrl
          .replace(/\/+$/, "")
          .replace(/\.git$/, "")
          .split(/[/:]/)
          .pop() ||
        "repository";
      return connected().api.createRepository({
        name,
        cloneUrl: input.cloneUrl.trim(),
        ...(input.defaultBranch ? { defaultBranch: input.defaultBranch } : {}),
      });
    },

    async createWorkspace(input: CreateWorkspaceInput): Promise<{ id: string }> {
      const ws = await connected().api.createWorkspace(input);
      await refresh();
      return { id: ws.id };
    },

    async lifecycle(action: "pause" | "resume" | "stop" | "delete", id: string): Promise<void> {
      const { api } = connected();
      if (action === "delete") await api.deleteWorkspace(id);
      else await api[`${action}Workspace`](id);
      await refresh();
    },

    /** Holds a presence session for `keepAliveMinutes`, so idle auto-stop leaves the workspace alone. */
    async keepAlive(id: string): Promise<void> {
      const { api } = connected();
      const previous = keepAlives.get(id);
      const presence = await joinPresence({ api, onError: (e) => log(`keep-alive presence: ${e}`) }, id);
      if (previous) {
        clearTimeout(previous.timer);
        await previous.presence.leave().catch(() => {});
      }
      const timer = setTimeout(() => {
        keepAlives.delete(id);
        presence.leave().catch((e) => log(`keep-alive leave: ${e}`));
      }, settings.keepAliveMinutes * 60_000);
      timer.unref?.();
      keepAlives.set(id, { presence, timer });
      await refresh();
    },

    openTerminalWindow(id: string): void {
      connected();
      deps.ui.openTerminalWindow(id);
    },

    chooseFolder: () => deps.ui.chooseFolder(),
    inspectWorktree: (path: string): Promise<WorktreeInfo> => inspectWorktree(path),

    async enableCloud(input: EnableCloudInput): Promise<EnableCloudResult> {
      const c = connected();
      const result = await enableCloud({ api: c.api, store: c.opened.store }, input);
      await refresh();
      return result;
    },

    async openTerminal(caller: Caller, input: TerminalOpenInput): Promise<TerminalInfo> {
      const { api } = connected();
      // The local store may lag a moment behind (just resumed); ask the API before refusing.
      const cached = workspaceRow(input.workspaceId);
      const row = cached?.status === "running" ? cached : await api.getWorkspace(input.workspaceId);
      if (row.status !== "running")
        throw new Error(`${row.name} is ${row.status}; resume it before opening a terminal`);
      const creds = await api.createSshCredentials(input.workspaceId);
      // Join before connecting: from the first keystroke, auto-stop knows someone is here.
      const presence = await joinPresence(
        { api, onError: (e) => log(`terminal presence: ${e}`) },
        input.workspaceId,
      );
      let terminalId: string;
      try {
        terminalId = await manager.open({
          host: creds.host,
          port: creds.port,
          username: creds.username,
          cols: input.cols,
          rows: input.rows,
        });
      } catch (err) {
        await presence.leave().catch(() => {});
        throw err;
      }
      terminals.set(terminalId, { caller, workspaceId: input.workspaceId, presence });
      return { terminalId, workspace: { id: row.id, name: row.name, branch: row.branch } };
    },

    terminalWrite(caller: Caller, terminalId: string, data: string): void {
      ownTerminal(caller, terminalId);
      manager.write(terminalId, data);
    },
    terminalResize(caller: Caller, terminalId: string, cols: number, rows: number): void {
      ownTerminal(caller, terminalId);
      manager.resize(terminalId, cols, rows);
    },
    terminalClose(caller: Caller, terminalId: string): void {
      ownTerminal(caller, terminalId);
      manager.close(terminalId);
    },

    /** A window went away: end its terminals (their presence sessions leave with them). */
    releaseCaller(callerId: number): void {
      for (const [id, t] of terminals) if (t.caller.id === callerId) manager.close(id);
    },

    async close(): Promise<void> {
      manager.closeAll();
      const leaving = [...terminals.values()].map((t) => t.presence.leave().catch(() => {}));
      terminals.clear();
      for (const k of keepAlives.values()) {
        clearTimeout(k.timer);
        leaving.push(k.presence.leave().catch(() => {}));
      }
      keepAlives.clear();
      await Promise.all(leaving);
      await disconnect();
    },
  };
}

/** An error as the renderer sees it: the API's `detail` and field errors, or the message. */
export function failureOf(err: unknown): {
  message: string;
  status?: number;
  fields?: { field: string; message: string }[];
} {
  if (err instanceof ApiError)
    return { message: err.message, status: err.status, ...(err.fields.length ? { fields: err.fields } : {}) };
  if (err instanceof Error) return { message: err.message };
  return { message: String(err) };
}
