import type { EventChannel } from "../../shared/ipc.ts";

/** Who called: a renderer (a window's webContents in main; a page in tests). */
export interface Caller {
  readonly id: number;
  /** Push an event to this caller only; a no-op once it is gone. */
  emit(channel: EventChannel, payload: unknown): void;
}
