import type { AppState, DesktopApi } from "../../shared/ipc.ts";
import { byId } from "../dom.ts";
import { setFormError } from "./errors.ts";

/** The API URL and token form; an empty URL keeps the saved one. */
export function wireSetupForm(opts: {
  api: DesktopApi;
  savedApiUrl: () => string | null;
  onConfigured: (state: AppState) => void;
}): void {
  byId<HTMLFormElement>("setup-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const form = ev.currentTarget as HTMLFormElement;
    const apiUrl = byId<HTMLInputElement>("api-url").value.trim() || opts.savedApiUrl() || "";
    const token = byId<HTMLInputElement>("api-token").value;
    setFormError(form, null);
    try {
      const state = await opts.api.app.configure({ apiUrl, token });
      byId<HTMLInputElement>("api-token").value = "";
      opts.onConfigured(state);
    } catch (err) {
      setFormError(form, err);
    }
  });
}
