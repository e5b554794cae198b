import type { WorkspaceRow } from "../../core/workspace-store.ts";
import type { DesktopApi } from "../../shared/ipc.ts";
import { byId } from "../dom.ts";
import { showError } from "./errors.ts";
import type { RowAction } from "./workspace-table.ts";

/**
 * What a row's buttons do. A workspace with an action in flight is `busy`: its buttons stay
 * disabled until the action settles; a failure is shown with the API's message.
 */
export class RowActions {
  readonly busy = new Set<string>();

  constructor(
    private readonly api: DesktopApi,
    /** The row as it is now (the click may come after an update). */
    private readonly rowOf: (workspaceId: string) => WorkspaceRow | undefined,
    private readonly rerender: () => void,
  ) {}

  async run(workspaceId: string, action: RowAction): Promise<void> {
    const w = this.rowOf(workspaceId);
    if (!w) return;
    const ws = this.api.workspaces;
    switch (action) {
      case "terminal":
        return this.whileBusy(w, "Open terminal for", () => ws.openTerminalWindow(w.id));
      case "pause":
        return this.whileBusy(w, "Pause", () => ws.pause(w.id));
      case "resume":
        return this.whileBusy(w, "Resume", () => ws.resume(w.id));
      case "stop":
        return this.whileBusy(w, "Stop", () => ws.stop(w.id));
      case "keep-alive":
        return this.whileBusy(w, "Keep alive", () => ws.keepAlive(w.id));
      case "delete":
        if (await confirmDelete(w)) return this.whileBusy(w, "Delete", () => ws.remove(w.id));
    }
  }

  private async whileBusy(w: WorkspaceRow, context: string, run: () => Promise<unknown>): Promise<void> {
    this.busy.add(w.id);
    this.rerender();
    try {
      await run();
    } catch (err) {
      showError(`${context} ${w.name}`, err);
    } finally {
      this.busy.delete(w.id);
      this.rerender();
    }
  }
}

function confirmDelete(w: WorkspaceRow): Promise<boolean> {
  const dialog = byId<HTMLDialogElement>("confirm-delete");
  byId("confirm-delete-name").textContent = w.name;
  dialog.returnValue = "";
  dialog.showModal();
  return new Promise((resolve) =>
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "delete"), { once: true }),
  );
}
