import type { EnableCloudInput, EnableCloudResult, WorktreeInfo } from "@cw/client-node/types";
import type { CreateWorkspace, Repository, UnsavedWork } from "@cw/contracts/types";
import type { StoreSnapshot, WorkspaceRow } from "../core/workspace-store.ts";

export type { EnableCloudInput, EnableCloudResult, WorktreeInfo };

/**
 * The one list of IPC channels between main and the renderers, and the API the preload exposes.
 * Types and constants only: the preload bundles it, the renderer imports its types, main and the
 * test harness dispatch on it. Arguments are validated in `core/ipc-handlers.ts`.
 */

/** Renderer → main request/response channels (`ipcRenderer.invoke` ↔ `ipcMain.handle`). */
export const invokeChannels = {
  appState: "cw:app:state",
  configure: "cw:app:configure",
  listRepositories: "cw:repositories:list",
  addRepository: "cw:repositories:add",
  createWorkspace: "cw:workspaces:create",
  pauseWorkspace: "cw:workspaces:pause",
  resumeWorkspace: "cw:workspaces:resume",
  stopWorkspace: "cw:workspaces:stop",
  deleteWorkspace: "cw:workspaces:delete",
  keepAlive: "cw:workspaces:keep-alive",
  openTerminalWindow: "cw:workspaces:open-terminal-window",
  chooseFolder: "cw:worktrees:choose-folder",
  inspectWorktree: "cw:worktrees:inspect",
  enableCloud: "cw:worktrees:enable-cloud",
  terminalOpen: "cw:terminal:open",
  terminalWrite: "cw:terminal:write",
  terminalResize: "cw:terminal:resize",
  terminalClose: "cw:terminal:close",
} as const;
export type InvokeKey = keyof typeof invokeChannels;
export type InvokeChannel = (typeof invokeChannels)[InvokeKey];

/** Main → renderer push channels (`webContents.send` ↔ `ipcRenderer.on`). */
export const eventChannels = {
  appState: "cw:event:app-state",
  terminalData: "cw:event:terminal-data",
  terminalExit: "cw:event:terminal-exit",
  /** The tray asks the list window to show a form. */
  command: "cw:event:command",
} as const;
export type EventChannel = (typeof eventChannels)[keyof typeof eventChannels];

export type TokenStorageKind = "keychain" | "plain-file";

export interface AppState {
  /** False until an API URL and a token have been saved and accepted by the API. */
  configured: boolean;
  apiUrl: string | null;
  /** "plain-file" means the OS offered no keychain: the UI must say the token is stored unencrypted. */
  tokenStorage: TokenStorageKind;
  /** Where the list comes from: the Electric-synced store, or HTTP polling until sync is available. */
  listSource: "sync" | "polling" | null;
  store: StoreSnapshot | null;
  /** A problem with the connection as a whole (e.g. the token was refused); null when fine. */
  problem: string | null;
  terminal: { fontSize: number; fontFamily: string; scrollback: number };
}

export type WindowCommand = "new-workspace" | "enable-cloud" | "settings";

export type { Repository };

/** What the window's form asks for; the rest of a create takes the API's defaults. */
export type CreateWorkspaceInput = Required<
  Pick<CreateWorkspace, "repositoryId" | "name" | "branch" | "autoStopMinutes">
>;

export interface AddRepositoryInput {
  cloneUrl: string;
  name?: string;
  defaultBranch?: string;
}

export interface TerminalOpenInput {
  workspaceId: string;
  cols: number;
  rows: number;
}

export interface TerminalInfo {
  terminalId: string;
  workspace: Pick<WorkspaceRow, "id" | "name" | "branch">;
}

export interface TerminalDataEvent {
  terminalId: string;
  data: string;
}

export interface TerminalExitEvent {
  terminalId: string;
  code: number | null;
  signal: string | null;
  /** Why the session ended when it was not a normal exit (connection lost, host key changed…). */
  error: string | null;
}

/**
 * How a delete treats the VM's unsaved work: `check` refuses when there is any, `preserve` pushes it
 * to a `cw/wip/…` branch first, `force` discards it.
 */
export type DeleteMode = "check" | "preserve" | "force";

/** A delete's outcome: done (with the branches the work went to), or refused for unsaved work. */
export type DeleteOutcome =
  | { deleted: true; pushedBranches: string[] }
  | {
      deleted: false;
      /** The API's words: what the VM holds, why the push failed, or why it could not be checked. */
      detail: string;
      /** null when the VM could not be checked: then only `force` deletes. */
      unsavedWork: UnsavedWork | null;
      canPreserve: boolean;
    };

export type { UnsavedWork };

/** What crosses IPC in place of a thrown error; the preload turns it back into an `Error`. */
export interface IpcFailure {
  message: string;
  status?: number;
  fields?: { field: string; message: string }[];
}
export type IpcResult<T> = { ok: true; value: T } | { ok: false; error: IpcFailure };

export type Unsubscribe = () => void;

/** `window.cw` in every renderer. Named functions only; no channel names leak to the page. */
export interface DesktopApi {
  app: {
    state(): Promise<AppState>;
    onState(listener: (state: AppState) => void): Unsubscribe;
    configure(input: { apiUrl: string; token: string }): Promise<AppState>;
    onCommand(listener: (command: WindowCommand) => void): Unsubscribe;
  };
  repositories: {
    list(): Promise<Repository[]>;
    add(input: AddRepositoryInput): Promise<Repository>;
  };
  workspaces: {
    create(input: CreateWorkspaceInput): Promise<{ id: string }>;
    pause(id: string): Promise<void>;
    resume(id: string): Promise<void>;
    stop(id: string): Promise<void>;
    /** Deletes a workspace; with unsaved work (and `check`) it answers what is unsaved instead. */
    remove(id: string, mode: DeleteMode): Promise<DeleteOutcome>;
    keepAlive(id: string): Promise<void>;
    openTerminalWindow(id: string): Promise<void>;
  };
  worktrees: {
    /** A native folder picker; null when cancelled. */
    chooseFolder(): Promise<string | null>;
    inspect(path: string): Promise<WorktreeInfo>;
    enableCloud(input: EnableCloudInput): Promise<EnableCloudResult>;
  };
  terminal: {
    open(input: TerminalOpenInput): Promise<TerminalInfo>;
    write(terminalId: string, data: string): Promise<void>;
    resize(terminalId: string, cols: number, rows: number): Promise<void>;
    close(terminalId: string): Promise<void>;
    onData(terminalId: string, listener: (data: string) => void): Unsubscribe;
    onExit(terminalId: string, listener: (exit: TerminalExitEvent) => void): Unsubscribe;
  };
}

/** The global name the preload exposes the API under. */
export const API_KEY = "cw";
