import { ipcMain, type WebContents } from "electron";
import type { Caller } from "../core/backend/caller.ts";
import type { IpcHandler } from "../core/ipc-handlers.ts";
import type { InvokeChannel } from "../shared/ipc.ts";
import { isTrustedSender } from "./windows.ts";

/**
 * Registers every allowlisted channel with `ipcMain.handle`. Each call is checked against the
 * window registry before its arguments are parsed (zod, in the handler) and run.
 */
export function registerIpc(
  handlers: Map<InvokeChannel, IpcHandler>,
  onCallerGone: (callerId: number) => void,
): void {
  const callers = new Map<number, Caller>();

  function callerFor(sender: WebContents): Caller {
    let caller = callers.get(sender.id);
    if (caller) return caller;
    const id = sender.id;
    caller = {
      id,
      emit(channel, payload) {
        if (!sender.isDestroyed()) sender.send(channel, payload);
      },
    };
    callers.set(id, caller);
    sender.once("destroyed", () => {
      callers.delete(id);
      onCallerGone(id);
    });
    return caller;
  }

  for (const [channel, handler] of handlers) {
    ipcMain.handle(channel, (event, ...args: unknown[]) => {
      if (!isTrustedSender(event.sender, event.senderFrame?.url)) {
        return { ok: false, error: { message: "Refused: not one of this app's windows" } };
      }
      return handler(callerFor(event.sender), args);
    });
  }
}
