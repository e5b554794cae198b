import type { StoreSnapshot, WorkspaceStore } from "@cw/desktop/core/workspace-store";

export { flip } from "@cw/testing";

/** Milliseconds since the epoch, sub-millisecond: comparable across this process's threads. */
export const clock = () => performance.timeOrigin + performance.now();

/**
 * When (`clock()`) `store` first shows workspace `id` in `status`: at once if it already does. Set
 * it up before making the change, so that no snapshot is missed.
 */
export function whenStatus(store: WorkspaceStore, id: string, status: string, timeoutMs = 30_000) {
  return new Promise<number>((resolve, reject) => {
    const seen = (s: StoreSnapshot) => s.workspaces.some((w) => w.id === id && w.status === status);
    const done = () => {
      clearTimeout(timer);
      off();
      resolve(clock());
    };
    const timer = setTimeout(() => {
      off();
      reject(new Error(`a store never showed the workspace ${status} (${timeoutMs} ms)`));
    }, timeoutMs);
    const off = store.subscribe((s) => {
      if (seen(s)) done();
    });
    if (seen(store.snapshot())) done();
  });
}
