import { byId, errorMessage, h } from "../dom.ts";

/** Every failure is shown with the API's message: in the list until dismissed, or in its form. */
export function showError(context: string, err: unknown): void {
  const item = h(
    "li",
    { class: "error" },
    h("span", {}, `${context}: ${errorMessage(err)}`),
    h("button", { class: "link", title: "Dismiss", onclick: () => item.remove() }, "×"),
  );
  byId("errors").append(item);
}

/** Something done that the user should hear of (where their work went), until dismissed. */
export function showNotice(text: string): void {
  const item = h(
    "li",
    { class: "notice" },
    h("span", {}, text),
    h("button", { class: "link", title: "Dismiss", onclick: () => item.remove() }, "×"),
  );
  byId("errors").append(item);
}

export function setFormError(form: HTMLFormElement, err: unknown | null): void {
  const slot = form.querySelector<HTMLElement>(".form-error")!;
  slot.textContent = err === null ? "" : errorMessage(err);
  slot.hidden = err === null;
}

/**
 * A dialog's form submitted: its submit button is disabled (and relabelled) while `run` works; on
 * success the dialog closes, on failure the form shows why.
 */
export async function submitDialog(
  form: HTMLFormElement,
  dialog: HTMLDialogElement,
  run: () => Promise<unknown>,
  busyLabel?: string,
): Promise<void> {
  const submit = form.querySelector<HTMLButtonElement>("button[type=submit]")!;
  const label = submit.textContent;
  setFormError(form, null);
  submit.disabled = true;
  if (busyLabel) submit.textContent = busyLabel;
  try {
    await run();
    dialog.close();
  } catch (err) {
    setFormError(form, err);
  } finally {
    submit.disabled = false;
    submit.textContent = label;
  }
}
