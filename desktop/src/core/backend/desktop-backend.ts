import {
  type EnableCloudInput,
  type EnableCloudResult,
  enableCloud,
  inspectWorktree,
  repositoryNameOf,
  type WorktreeInfo,
} from "@cw/client-node/worktree";
import { unsavedWorkOf } from "@cw/contracts";
import { ApiError } from "@cw/contracts/client";
import type {
  AddRepositoryInput,
  AppState,
  CreateWorkspaceInput,
  DeleteMode,
  DeleteOutcome,
  Repository,
  TerminalInfo,
  TerminalOpenInput,
} from "../../shared/ipc.ts";
import { parseSettings, type Settings } from "../settings.ts";
import type { HostKeyStore } from "../ssh/host-keys.ts";
import type { TokenStore } from "../token-store.ts";
import type { Caller } from "./caller.ts";
import { ControlPlane, type OpenStore } from "./control-plane.ts";
import { KeepAlives } from "./keep-alive.ts";
import { type HostKeyChange, TerminalSessions } from "./terminal-sessions.ts";
import { storeLinks } from "./worktree-links.ts";

/**
 * Everything the desktop does, behind the preload API, in plain Node: main dispatches IPC calls
 * here (`ipc-handlers.ts`), and the renderer tests drive the very same object from Chromium.
 * It composes the control-plane connection, the terminals and the keep-alives, and holds the
 * settings; what only Electron can do (windows, dialogs) comes in as `ui`.
 */
export interface BackendDeps {
  settings: Settings;
  saveSettings(settings: Settings): Promise<void>;
  tokens: TokenStore;
  hostKeys: HostKeyStore;
  /** The Electric-synced store, or the polling fallback; chosen by main from the settings. */
  openStore: OpenStore;
  ui: {
    openTerminalWindow(workspaceId: string): void;
    chooseFolder(): Promise<string | null>;
    /** Asks whether to trust a workspace's changed SSH host key. */
    confirmHostKey(change: HostKeyChange): Promise<boolean>;
  };
  /** Every state change (store snapshot, configuration, problems); main broadcasts it. */
  onState(state: AppState): void;
  fetch?: typeof fetch;
  log?: (line: string) => void;
}

export class DesktopBackend {
  private settings: Settings;
  private problem: string | null = null;
  private readonly controlPlane: ControlPlane;
  private readonly terminals: TerminalSessions;
  private readonly keepAlives: KeepAlives;

  constructor(private readonly deps: BackendDeps) {
    const log = deps.log ?? (() => {});
    this.settings = deps.settings;
    this.controlPlane = new ControlPlane({
      openStore: deps.openStore,
      fetch: deps.fetch,
      onChange: () => this.publish(),
    });
    this.terminals = new TerminalSessions({
      hostKeys: deps.hostKeys,
      confirmHostKey: deps.ui.confirmHostKey,
      log,
    });
    this.keepAlives = new KeepAlives(log);
  }

  /** Start-up: connect with what was saved; a failure is shown, not fatal (the user can fix it). */
  async resume(): Promise<void> {
    const token = await this.deps.tokens.read();
    if (!this.settings.apiUrl || !token) return;
    try {
      await this.controlPlane.connect(this.settings.apiUrl, token, this.settings);
    } catch (err) {
      this.problem = err instanceof Error ? err.message : String(err);
    }
  }

  state(): AppState {
    return {
      configured: this.controlPlane.connected,
      apiUrl: this.settings.apiUrl,
      tokenStorage: this.deps.tokens.kind,
      listSource: this.controlPlane.source,
      store: this.controlPlane.snapshot(),
      problem: this.problem,
      terminal: this.settings.terminal,
    };
  }

  async configure(input: { apiUrl: string; token: string }): Promise<AppState> {
    const next = parseSettings({ ...this.settings, apiUrl: input.apiUrl });
    const token = input.token.trim();
    await this.controlPlane.connect(next.apiUrl!, token, next);
    this.problem = null;
    this.settings = next;
    await this.deps.tokens.write(token);
    await this.deps.saveSettings(next);
    this.publish();
    return this.state();
  }

  listRepositories(): Promise<Repository[]> {
    return this.controlPlane
      .api()
      .listRepositories()
      .then((list) => list.items);
  }

  addRepository(input: AddRepositoryInput): Promise<Repository> {
    return this.controlPlane.api().createRepository({
      name: input.name?.trim() || repositoryNameOf(input.cloneUrl),
      cloneUrl: input.cloneUrl.trim(),
      ...(input.defaultBranch ? { defaultBranch: input.defaultBranch } : {}),
    });
  }

  async createWorkspace(input: CreateWorkspaceInput): Promise<{ id: string }> {
    const ws = await this.controlPlane.api().createWorkspace(input);
    await this.controlPlane.refresh();
    return { id: ws.id };
  }

  async lifecycle(action: "pause" | "resume" | "stop", id: string): Promise<void> {
    await this.controlPlane.api()[`${action}Workspace`](id);
    await this.controlPlane.refresh();
  }

  /**
   * Deletes a workspace, the VM's unsaved work treated as `mode` says. A refusal for unsaved work
   * (409 `unsaved-work`) is an answer, not an error: the window shows it and asks what to do.
   */
  async deleteWorkspace(id: string, mode: DeleteMode): Promise<DeleteOutcome> {
    try {
      const done = await this.controlPlane
        .api()
        .deleteWorkspace(id, { preserve: mode === "preserve", force: mode === "force" });
      await this.controlPlane.refresh();
      return { deleted: true, pushedBranches: done?.pushedBranches ?? [] };
    } catch (err) {
      const refused = err instanceof ApiError ? unsavedWorkOf(err.problem) : null;
      if (!refused) throw err;
      return {
        deleted: false,
        detail: refused.detail,
        unsavedWork: refused.unsavedWork,
        canPreserve: refused.canPreserve,
      };
    }
  }

  /** Holds a presence session for `keepAliveMinutes`, so idle auto-stop leaves the workspace alone. */
  async keepAlive(id: string): Promise<void> {
    await this.keepAlives.hold(this.controlPlane.api(), id, this.settings.keepAliveMinutes);
    await this.controlPlane.refresh();
  }

  openTerminalWindow(id: string): void {
    this.controlPlane.api(); // refuses when not set up
    this.deps.ui.openTerminalWindow(id);
  }

  chooseFolder(): Promise<string | null> {
    return this.deps.ui.chooseFolder();
  }

  inspectWorktree(path: string): Promise<WorktreeInfo> {
    return inspectWorktree(path);
  }

  async enableCloud(input: EnableCloudInput): Promise<EnableCloudResult> {
    const deps = { api: this.controlPlane.api(), links: storeLinks(this.controlPlane.store()) };
    const result = await enableCloud(deps, input);
    await this.controlPlane.refresh();
    return result;
  }

  openTerminal(caller: Caller, input: TerminalOpenInput): Promise<TerminalInfo> {
    return this.terminals.open(caller, this.controlPlane.api(), input);
  }

  terminalWrite(caller: Caller, terminalId: string, data: string): void {
    this.terminals.write(caller, terminalId, data);
  }

  terminalResize(caller: Caller, terminalId: string, cols: number, rows: number): void {
    this.terminals.resize(caller, terminalId, cols, rows);
  }

  terminalClose(caller: Caller, terminalId: string): void {
    this.terminals.close(caller, terminalId);
  }

  /** A window went away: end its terminals. */
  releaseCaller(callerId: number): void {
    this.terminals.release(callerId);
  }

  /** Quitting: leave every presence session, so the workspaces may auto-stop again. */
  async close(): Promise<void> {
    await Promise.all([this.terminals.closeAll(), this.keepAlives.releaseAll()]);
    await this.controlPlane.close();
  }

  private publish(): void {
    this.deps.onState(this.state());
  }
}

/** A backend connected with the saved settings and token (when there are any). */
export async function createDesktopBackend(deps: BackendDeps): Promise<DesktopBackend> {
  const backend = new DesktopBackend(deps);
  await backend.resume();
  return backend;
}
