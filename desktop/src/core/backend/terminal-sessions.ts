import { joinPresence, type PresenceSession } from "@cw/client-node/presence";
import type { ApiClient } from "@cw/contracts/client";
import {
  eventChannels,
  type TerminalExitEvent,
  type TerminalInfo,
  type TerminalOpenInput,
} from "../../shared/ipc.ts";
import { HostKeyMismatchError, type HostKeyStore } from "../ssh/host-keys.ts";
import { createTerminalManager, type TerminalManager, type TerminalTarget } from "../ssh/terminal-manager.ts";
import type { Caller } from "./caller.ts";

/**
 * The open terminals: each an SSH shell owned by the window that opened it (only that window may
 * type into it, and its output goes only there) and a presence session on its workspace, joined
 * before the shell opens and left when it ends — so auto-stop never fires under an open terminal.
 */
export interface HostKeyChange {
  workspaceName: string;
  /** What changed, with both fingerprints. */
  detail: string;
}

export interface TerminalSessionsDeps {
  hostKeys: HostKeyStore;
  /** Asks the user whether to trust a changed host key; false refuses the connection. */
  confirmHostKey(change: HostKeyChange): Promise<boolean>;
  log(line: string): void;
}

interface Session {
  caller: Caller;
  workspaceId: string;
  presence: PresenceSession;
}

type TerminalApi = Pick<ApiClient, "getWorkspace" | "createSshCredentials" | "presenceUrl" | "headers">;

export class TerminalSessions {
  private readonly sessions = new Map<string, Session>();
  private readonly manager: TerminalManager;

  constructor(private readonly deps: TerminalSessionsDeps) {
    this.manager = createTerminalManager({
      hostKeys: deps.hostKeys,
      onData: (terminalId, data) =>
        this.sessions.get(terminalId)?.caller.emit(eventChannels.terminalData, { terminalId, data }),
      onExit: (terminalId, exit) => this.ended(terminalId, { terminalId, ...exit }),
    });
  }

  async open(caller: Caller, api: TerminalApi, input: TerminalOpenInput): Promise<TerminalInfo> {
    // The API, not the local store: it is current (the store may lag a moment behind a resume),
    // and it names the VM whose host key is pinned.
    const ws = await api.getWorkspace(input.workspaceId);
    if (ws.status !== "running")
      throw new Error(`${ws.name} is ${ws.status}; resume it before opening a terminal`);
    const creds = await api.createSshCredentials(input.workspaceId);
    // Join before connecting: from the first keystroke, auto-stop knows someone is here.
    const presence = await joinPresence(
      { api, clientType: "desktop", onError: (e) => this.deps.log(`terminal presence: ${e}`) },
      input.workspaceId,
    );
    let terminalId: string;
    try {
      terminalId = await this.connect(ws.name, {
        host: creds.host,
        port: creds.port,
        username: creds.username,
        vm: ws.providerVmId === null ? undefined : `${ws.providerType}:${ws.providerVmId}`,
        cols: input.cols,
        rows: input.rows,
      });
    } catch (err) {
      await presence.leave().catch(() => {});
      throw err;
    }
    this.sessions.set(terminalId, { caller, workspaceId: input.workspaceId, presence });
    return { terminalId, workspace: { id: ws.id, name: ws.name, branch: ws.branch } };
  }

  write(caller: Caller, terminalId: string, data: string): void {
    this.own(caller, terminalId);
    this.manager.write(terminalId, data);
  }

  resize(caller: Caller, terminalId: string, cols: number, rows: number): void {
    this.own(caller, terminalId);
    this.manager.resize(terminalId, cols, rows);
  }

  close(caller: Caller, terminalId: string): void {
    this.own(caller, terminalId);
    this.manager.close(terminalId);
  }

  /** A window went away: end its terminals (their presence sessions leave with them). */
  release(callerId: number): void {
    for (const [id, s] of this.sessions) if (s.caller.id === callerId) this.manager.close(id);
  }

  async closeAll(): Promise<void> {
    this.manager.closeAll();
    const leaving = [...this.sessions.values()].map((s) => s.presence.leave().catch(() => {}));
    this.sessions.clear();
    await Promise.all(leaving);
  }

  /**
   * Opens the shell; a changed host key is put to the user, and only the very key they accepted
   * is pinned (a key that changes again on the retry is refused).
   */
  private async connect(workspaceName: string, target: TerminalTarget): Promise<string> {
    try {
      return await this.manager.open(target);
    } catch (err) {
      if (!(err instanceof HostKeyMismatchError)) throw err;
      if (!(await this.deps.confirmHostKey({ workspaceName, detail: err.message }))) throw err;
      await this.deps.hostKeys.pin(err.offer);
      return this.manager.open(target);
    }
  }

  private ended(terminalId: string, event: TerminalExitEvent): void {
    const s = this.sessions.get(terminalId);
    if (!s) return;
    this.sessions.delete(terminalId);
    s.caller.emit(eventChannels.terminalExit, event);
    s.presence.leave().catch((err) => this.deps.log(`leaving presence of ${s.workspaceId}: ${err}`));
  }

  private own(caller: Caller, terminalId: string): void {
    const s = this.sessions.get(terminalId);
    if (!s || s.caller.id !== caller.id) throw new Error("This terminal session has ended");
  }
}
