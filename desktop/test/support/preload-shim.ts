import { createDesktopApi } from "../../src/preload/api.ts";
import { API_KEY, type EventChannel, type InvokeChannel } from "../../src/shared/ipc.ts";

/**
 * Stands in for the preload in plain Chromium: the same `createDesktopApi` over a transport made
 * of Playwright bindings. `__cwInvoke` is the test's (the fake main's) handler; the test pushes
 * events by calling `__cwPush`. Arguments and payloads are cloned, as contextBridge copies them.
 */
type Listener = (payload: unknown) => void;
const w = window as unknown as {
  __cwInvoke(channel: InvokeChannel, args: unknown[]): Promise<unknown>;
  __cwPush(channel: EventChannel, payload: unknown): void;
} & Record<string, unknown>;

const listeners = new Map<EventChannel, Set<Listener>>();
w.__cwPush = (channel, payload) => {
  for (const l of listeners.get(channel) ?? []) l(structuredClone(payload));
};
w[API_KEY] = Object.freeze(
  createDesktopApi({
    invoke: async (channel, ...args) => structuredClone(await w.__cwInvoke(channel, structuredClone(args))),
    on(channel, listener) {
      const set = listeners.get(channel) ?? new Set();
      listeners.set(channel, set);
      set.add(listener);
      return () => set.delete(listener);
    },
  }),
);
