import {
  type AppState,
  type DesktopApi,
  type EventChannel,
  eventChannels,
  type InvokeChannel,
  type IpcResult,
  invokeChannels,
  type TerminalDataEvent,
  type TerminalExitEvent,
  type WindowCommand,
} from "../shared/ipc.ts";

/**
 * Builds `window.cw` from a transport. The preload passes one over `ipcRenderer`; the renderer
 * tests pass one over Playwright. No Electron import here, so both share this exact code.
 */
export interface Transport {
  invoke(channel: InvokeChannel, ...args: unknown[]): Promise<unknown>;
  /** Listens to a push channel with plain payloads (never the IPC event object). */
  on(channel: EventChannel, listener: (payload: unknown) => void): () => void;
}

export class DesktopApiError extends Error {
  override name = "DesktopApiError";
  constructor(
    message: string,
    readonly status?: number,
    readonly fields?: { field: string; message: string }[],
  ) {
    super(message);
  }
}

/** Output that arrives before the renderer subscribes (it races the open call's reply) is kept for it. */
const EARLY_BUFFER_LIMIT = 1024 * 1024;

export function createDesktopApi(transport: Transport): DesktopApi {
  async function call<T>(channel: InvokeChannel, ...args: unknown[]): Promise<T> {
    const result = (await transport.invoke(channel, ...args)) as IpcResult<T>;
    if (!result.ok) throw new DesktopApiError(result.error.message, result.error.status, result.error.fields);
    return result.value;
  }

  const dataListeners = new Map<string, (data: string) => void>();
  const exitListeners = new Map<string, (exit: TerminalExitEvent) => void>();
  const earlyData = new Map<string, string[]>();
  const earlyExit = new Map<string, TerminalExitEvent>();
  let earlyChars = 0;

  transport.on(eventChannels.terminalData, (payload) => {
    const { terminalId, data } = payload as TerminalDataEvent;
    const listener = dataListeners.get(terminalId);
    if (listener) return listener(data);
    if (earlyChars + data.length > EARLY_BUFFER_LIMIT) return;
    earlyChars += data.length;
    earlyData.set(terminalId, [...(earlyData.get(terminalId) ?? []), data]);
  });
  transport.on(eventChannels.terminalExit, (payload) => {
    const exit = payload as TerminalExitEvent;
    const listener = exitListeners.get(exit.terminalId);
    if (listener) listener(exit);
    else earlyExit.set(exit.terminalId, exit);
  });

  return {
    app: {
      state: () => call(invokeChannels.appState),
      onState: (listener) => transport.on(eventChannels.appState, (s) => listener(s as AppState)),
      configure: (input) => call(invokeChannels.configure, input),
      onCommand: (listener) => transport.on(eventChannels.command, (c) => listener(c as WindowCommand)),
    },
    repositories: {
      list: () => call(invokeChannels.listRepositories),
      add: (input) => call(invokeChannels.addRepository, input),
    },
    workspaces: {
      create: (input) => call(invokeChannels.createWorkspace, input),
      pause: (id) => call(invokeChannels.pauseWorkspace, id),
      resume: (id) => call(invokeChannels.resumeWorkspace, id),
      stop: (id) => call(invokeChannels.stopWorkspace, id),
      remove: (id, mode) => call(invokeChannels.deleteWorkspace, id, mode),
      keepAlive: (id) => call(invokeChannels.keepAlive, id),
      openTerminalWindow: (id) => call(invokeChannels.openTerminalWindow, id),
    },
    worktrees: {
      chooseFolder: () => call(invokeChannels.chooseFolder),
      inspect: (path) => call(invokeChannels.inspectWorktree, path),
      enableCloud: (input) => call(invokeChannels.enableCloud, input),
    },
    terminal: {
      open: (input) => call(invokeChannels.terminalOpen, input),
      write: (id, data) => call(invokeChannels.terminalWrite, id, data),
      resize: (id, cols, rows) => call(invokeChannels.terminalResize, id, cols, rows),
      close: (id) => call(invokeChannels.terminalClose, id),
      onData(id, listener) {
        dataListeners.set(id, listener);
        const early = earlyData.get(id);
        if (early) {
          earlyData.delete(id);
          for (const chunk of early) {
            earlyChars -= chunk.length;
            listener(chunk);
          }
        }
        return () => dataListeners.delete(id);
      },
      onExit(id, listener) {
        exitListeners.set(id, listener);
        const early = earlyExit.get(id);
        if (early) {
          earlyExit.delete(id);
          listener(early);
        }
        return () => exitListeners.delete(id);
      },
    },
  };
}
