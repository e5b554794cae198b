import { unsavedWorkLines } from "@cw/contracts/unsaved-work-text";
import type { WorkspaceRow } from "../../core/workspace-store.ts";
import type { DeleteMode, DeleteOutcome, DesktopApi } from "../../shared/ipc.ts";
import { byId, h } from "../dom.ts";
import { showError, showNotice } from "./errors.ts";
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
        if (await confirmDelete(w)) return this.whileBusy(w, "Delete", () => this.remove(w));
    }
  }

  /**
   * Deletes after the VM's check: when it holds unsaved work, the user chooses to save it to a
   * branch first, delete anyway or cancel — asked again if the save fails (the API says why).
   */
  private async remove(w: WorkspaceRow): Promise<void> {
    let outcome = await this.api.workspaces.remove(w.id, "check");
    for (let round = 0; !outcome.deleted; round++) {
      const choice = await askAboutUnsavedWork(w, outcome, round === 0);
      if (choice === "cancel") return;
      outcome = await this.api.workspaces.remove(w.id, choice);
    }
    if (outcome.pushedBranches.length)
      showNotice(
        `${w.name}: its work was pushed to ${outcome.pushedBranches.join(", ")} before it was deleted`,
      );
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

/**
 * The unsaved-work dialog: what the VM holds, and the three choices. The API's own words are shown
 * when they say more than the list: the VM could not be checked, or saving it failed.
 */
function askAboutUnsavedWork(
  w: WorkspaceRow,
  refused: Extract<DeleteOutcome, { deleted: false }>,
  firstAsk: boolean,
): Promise<DeleteMode | "cancel"> {
  const dialog = byId<HTMLDialogElement>("unsaved-work");
  byId("unsaved-work-name").textContent = w.name;
  const lines = refused.unsavedWork ? unsavedWorkLines(refused.unsavedWork) : [];
  byId("unsaved-work-list").replaceChildren(...lines.map((line) => h("li", {}, line)));
  byId("unsaved-work-detail").textContent =
    firstAsk && refused.unsavedWork
      ? "None of it is on the git host. Save it to a new branch there (cw/wip/…) before deleting, or delete it with the VM."
      : refused.detail;
  byId<HTMLButtonElement>("unsaved-work-preserve").disabled = !refused.canPreserve;
  dialog.returnValue = "";
  dialog.showModal();
  return new Promise((resolve) =>
    dialog.addEventListener(
      "close",
      () => {
        const value = dialog.returnValue;
        resolve(value === "preserve" || value === "force" ? value : "cancel");
      },
      { once: true },
    ),
  );
}
