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

export function setFormError(form: HTMLFormElement, err: unknown | null): void {
  const slot = form.querySelector<HTMLElement>(".form-error")!;
  slot.textContent = err === null ? "" : errorMessage(err);
  slot.hidden = err === null;
}
