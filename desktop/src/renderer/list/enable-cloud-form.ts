import type { DesktopApi } from "../../shared/ipc.ts";
import { byId } from "../dom.ts";
import { setFormError, submitDialog } from "./errors.ts";

/** The "enable cloud for a folder" dialog: choose a folder, see its origin and branch, enable. */
export function enableCloudForm(api: DesktopApi): { open(): void } {
  const dialog = byId<HTMLDialogElement>("enable-cloud");
  const form = byId<HTMLFormElement>("enable-cloud-form");
  const folder = byId<HTMLInputElement>("folder");
  const info = byId("worktree-info");

  async function inspectFolder(): Promise<void> {
    // The info line keeps its height and text until the answer is in: it sits above the buttons,
    // and inspection also runs when the path field loses focus — to a click on "Enable cloud",
    // which a layout shift between mouse down and up would swallow.
    try {
      const wt = await api.worktrees.inspect(folder.value.trim());
      setFormError(form, null);
      info.textContent = `origin ${wt.originUrl} · branch ${wt.branch} · ${wt.headSha.slice(0, 8)}`;
    } catch (err) {
      info.textContent = "";
      setFormError(form, err);
    }
  }

  byId("choose-folder").addEventListener("click", async () => {
    try {
      const path = await api.worktrees.chooseFolder();
      if (path) {
        folder.value = path;
        await inspectFolder();
      }
    } catch (err) {
      setFormError(form, err);
    }
  });

  folder.addEventListener("change", () => void inspectFolder());

  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const input = {
      path: folder.value.trim(),
      autoStopMinutes: Number(byId<HTMLInputElement>("enable-auto-stop").value),
    };
    void submitDialog(form, dialog, () => api.worktrees.enableCloud(input), "Enabling…");
  });

  return {
    open() {
      form.reset();
      setFormError(form, null);
      info.textContent = "";
      dialog.showModal();
    },
  };
}
