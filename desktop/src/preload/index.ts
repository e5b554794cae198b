import { contextBridge, ipcRenderer } from "electron";
import { API_KEY } from "../shared/ipc.ts";
import { createDesktopApi } from "./api.ts";

/**
 * The sandboxed preload: exposes named functions only. Channel names stay in here; the IPC event
 * object (which carries `sender`) never reaches the page. Bundled into one CommonJS file because a
 * sandboxed preload cannot require its siblings.
 */
const api = createDesktopApi({
  invoke: (channel, ...args) => ipcRenderer.invoke(channel, ...args),
  on(channel, listener) {
    const wrapped = (_event: Electron.IpcRendererEvent, payload: unknown) => listener(payload);
    ipcRenderer.on(channel, wrapped);
    return () => {
      ipcRenderer.removeListener(channel, wrapped);
    };
  },
});

contextBridge.exposeInMainWorld(API_KEY, api);
