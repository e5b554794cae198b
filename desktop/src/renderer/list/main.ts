import type { WorkspaceRow } from "../../core/workspace-store.ts";
import type { AppState, Repository, WindowCommand } from "../../shared/ipc.ts";
import { statusLabel, type UiAction, uiActions } from "../../shared/workspace-actions.ts";
import { byId, desktopApi, errorMessage, h } from "../dom.ts";
import { autoStopText, syncLabel } from "./format.ts";

/** The list window: workspaces with their state and actions, the create and enable-cloud forms, setup. */
const api = desktopApi();
let state: AppState | null = null;
/** Workspaces with an action in flight: their buttons stay disabled until it settles. */
const busy = new Set<string>();

// ---- errors: every failure is shown with the API's message, until dismissed ----

function showError(context: string, err: unknown): void {
  const item = h(
    "li",
    { class: "error" },
    h("span", {}, `${context}: ${errorMessage(err)}`),
    h("button", { class: "link", title: "Dismiss", onclick: () => item.remove() }, "×"),
  );
  byId("errors").append(item);
}

function setFormError(form: HTMLFormElement, err: unknown | null): void {
  const slot = form.querySelector<HTMLElement>(".form-error")!;
  slot.textContent = err === null ? "" : errorMessage(err);
  slot.hidden = err === null;
}

// ---- rendering ----

function render(): void {
  if (!state) return;
  const s = state;
  const pill = byId("connection");
  const connection = !s.configured ? "not set up" : (s.store?.connection ?? "connecting");
  pill.textContent =
    connection === "live" ? (s.listSource === "sync" ? "live" : "live (polling)") : connection;
  pill.className = `pill conn-${connection.replace(/\s/g, "-")}`;

  const banners = byId("banners");
  banners.replaceChildren();
  if (s.tokenStorage === "plain-file")
    banners.append(
      h(
        "p",
        { class: "banner warn", id: "plain-token-warning" },
        "No OS keychain is available: your API token is stored unencrypted in a file only your user can read.",
      ),
    );
  if (s.problem) banners.append(h("p", { class: "banner error" }, s.problem));

  byId("setup").hidden = s.configured && !settingsOpen;
  byId<HTMLInputElement>("api-url").placeholder = s.apiUrl ?? "https://…";
  byId("main").hidden = !s.configured;
  document.querySelectorAll<HTMLButtonElement>("[data-needs-setup]").forEach((b) => {
    b.disabled = !s.configured;
  });

  const rows = s.store?.workspaces ?? [];
  const body = byId("workspace-rows");
  body.replaceChildren(...rows.map(row));
  byId("empty").hidden = rows.length > 0 || !s.configured;
}

function row(w: WorkspaceRow): HTMLTableRowElement {
  const now = new Date();
  const status =
    w.status === "provisioning"
      ? h(
          "span",
          { class: "status status-provisioning" },
          h("progress", { "aria-label": "provisioning" }),
          " Provisioning…",
        )
      : h("span", { class: `status status-${w.status}` }, statusLabel[w.status]);
  const operation = w.operation ? h("span", { class: "muted" }, ` (${w.operation}…)`) : null;
  const message = w.statusMessage ? h("div", { class: "status-message" }, w.statusMessage) : null;
  const actions = new Set(uiActions(w));
  const button = (action: UiAction, label: string, cls = "") =>
    actions.has(action)
      ? h(
          "button",
          { class: cls, "data-action": action, disabled: busy.has(w.id), onclick: () => act(w, action) },
          label,
        )
      : null;
  return h(
    "tr",
    { "data-id": w.id, "data-status": w.status },
    h("td", {}, h("div", { class: "name" }, w.name), h("div", { class: "branch" }, `⎇ ${w.branch}`)),
    h("td", {}, status, operation, message),
    h("td", { class: "num", title: "connected users" }, String(w.connectedCount)),
    h("td", { title: w.syncMessage ?? "" }, syncLabel[w.syncStatus]),
    h("td", {}, autoStopText(w, now)),
    h(
      "td",
      { class: "actions" },
      button("terminal", "Terminal", "primary"),
      button("resume", "Resume"),
      button("pause", "Pause"),
      button("stop", "Stop"),
      w.status === "running" && w.autoStopAt
        ? h("button", { disabled: busy.has(w.id), onclick: () => keepAlive(w) }, "Keep alive")
        : null,
      button("delete", "Delete", "danger"),
    ),
  );
}

// ---- actions ----

async function withBusy(w: WorkspaceRow, context: string, run: () => Promise<unknown>): Promise<void> {
  busy.add(w.id);
  render();
  try {
    await run();
  } catch (err) {
    showError(`${context} ${w.name}`, err);
  } finally {
    busy.delete(w.id);
    render();
  }
}

async function act(w: WorkspaceRow, action: UiAction): Promise<void> {
  switch (action) {
    case "terminal":
      return withBusy(w, "Open terminal for", () => api.workspaces.openTerminalWindow(w.id));
    case "pause":
      return withBusy(w, "Pause", () => api.workspaces.pause(w.id));
    case "resume":
      return withBusy(w, "Resume", () => api.workspaces.resume(w.id));
    case "stop":
      return withBusy(w, "Stop", () => api.workspaces.stop(w.id));
    case "delete":
      if (await confirmDelete(w)) return withBusy(w, "Delete", () => api.workspaces.remove(w.id));
  }
}

const keepAlive = (w: WorkspaceRow) => withBusy(w, "Keep alive", () => api.workspaces.keepAlive(w.id));

function confirmDelete(w: WorkspaceRow): Promise<boolean> {
  const dialog = byId<HTMLDialogElement>("confirm-delete");
  byId("confirm-delete-name").textContent = w.name;
  dialog.returnValue = "";
  dialog.showModal();
  return new Promise((resolve) =>
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "delete"), { once: true }),
  );
}

// ---- setup ----

let settingsOpen = false;

byId<HTMLFormElement>("setup-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const form = ev.currentTarget as HTMLFormElement;
  const apiUrl = byId<HTMLInputElement>("api-url").value.trim() || state?.apiUrl || "";
  const token = byId<HTMLInputElement>("api-token").value;
  setFormError(form, null);
  try {
    state = await api.app.configure({ apiUrl, token });
    settingsOpen = false;
    byId<HTMLInputElement>("api-token").value = "";
    render();
  } catch (err) {
    setFormError(form, err);
  }
});

// ---- new workspace ----

let repositories: Repository[] = [];

async function openNewWorkspace(): Promise<void> {
  const dialog = byId<HTMLDialogElement>("new-workspace");
  const form = byId<HTMLFormElement>("new-workspace-form");
  setFormError(form, null);
  form.reset();
  byId("add-repo").hidden = true;
  dialog.showModal();
  try {
    repositories = await api.repositories.list();
    fillRepositories(repositories[0]?.id);
  } catch (err) {
    setFormError(form, err);
  }
}

function fillRepositories(selectedId: string | undefined): void {
  const select = byId<HTMLSelectElement>("repo-select");
  select.replaceChildren(
    ...repositories.map((r) => h("option", { value: r.id, selected: r.id === selectedId }, r.name)),
    h("option", { value: "__add" }, "Add a repository by clone URL…"),
  );
  onRepositoryChange();
}

function onRepositoryChange(): void {
  const select = byId<HTMLSelectElement>("repo-select");
  const adding = select.value === "__add";
  byId("add-repo").hidden = !adding;
  const repo = repositories.find((r) => r.id === select.value);
  const branch = byId<HTMLInputElement>("branch");
  if (repo && !branch.value) branch.value = repo.defaultBranch;
}

byId("repo-select").addEventListener("change", onRepositoryChange);

byId("add-repo-button").addEventListener("click", async () => {
  const form = byId<HTMLFormElement>("new-workspace-form");
  setFormError(form, null);
  try {
    const repo = await api.repositories.add({ cloneUrl: byId<HTMLInputElement>("clone-url").value });
    repositories = [...repositories, repo];
    fillRepositories(repo.id);
  } catch (err) {
    setFormError(form, err);
  }
});

byId<HTMLFormElement>("new-workspace-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const form = ev.currentTarget as HTMLFormElement;
  const repositoryId = byId<HTMLSelectElement>("repo-select").value;
  setFormError(form, null);
  if (!repositoryId || repositoryId === "__add")
    return setFormError(form, new Error("Choose a repository first"));
  const submit = form.querySelector<HTMLButtonElement>("button[type=submit]")!;
  submit.disabled = true;
  try {
    await api.workspaces.create({
      repositoryId,
      name: byId<HTMLInputElement>("ws-name").value.trim(),
      branch: byId<HTMLInputElement>("branch").value.trim(),
      autoStopMinutes: Number(byId<HTMLInputElement>("auto-stop").value),
    });
    byId<HTMLDialogElement>("new-workspace").close();
  } catch (err) {
    setFormError(form, err);
  } finally {
    submit.disabled = false;
  }
});

// ---- enable cloud for a folder ----

function openEnableCloud(): void {
  const form = byId<HTMLFormElement>("enable-cloud-form");
  form.reset();
  setFormError(form, null);
  byId("worktree-info").textContent = "";
  byId<HTMLDialogElement>("enable-cloud").showModal();
}

byId("choose-folder").addEventListener("click", async () => {
  try {
    const path = await api.worktrees.chooseFolder();
    if (path) {
      byId<HTMLInputElement>("folder").value = path;
      await inspectFolder();
    }
  } catch (err) {
    setFormError(byId<HTMLFormElement>("enable-cloud-form"), err);
  }
});

async function inspectFolder(): Promise<boolean> {
  const form = byId<HTMLFormElement>("enable-cloud-form");
  const info = byId("worktree-info");
  // The info line keeps its height and text until the answer is in: it sits above the buttons, and
  // inspection also runs when the path field loses focus — to a click on "Enable cloud", which a
  // layout shift between mouse down and up would swallow.
  try {
    const wt = await api.worktrees.inspect(byId<HTMLInputElement>("folder").value.trim());
    setFormError(form, null);
    info.textContent = `origin ${wt.originUrl} · branch ${wt.branch} · ${wt.headSha.slice(0, 8)}`;
    return true;
  } catch (err) {
    info.textContent = "";
    setFormError(form, err);
    return false;
  }
}

byId("folder").addEventListener("change", () => void inspectFolder());

byId<HTMLFormElement>("enable-cloud-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const form = ev.currentTarget as HTMLFormElement;
  const submit = form.querySelector<HTMLButtonElement>("button[type=submit]")!;
  setFormError(form, null);
  submit.disabled = true;
  submit.textContent = "Enabling…";
  try {
    await api.worktrees.enableCloud({
      path: byId<HTMLInputElement>("folder").value.trim(),
      autoStopMinutes: Number(byId<HTMLInputElement>("enable-auto-stop").value),
    });
    byId<HTMLDialogElement>("enable-cloud").close();
  } catch (err) {
    setFormError(form, err);
  } finally {
    submit.disabled = false;
    submit.textContent = "Enable cloud";
  }
});

// ---- wiring ----

// (forEach, not for…of: the root tsconfig also sees this file, without DOM.Iterable.)
document.querySelectorAll<HTMLDialogElement>("dialog").forEach((dialog) => {
  dialog.querySelectorAll<HTMLButtonElement>("[data-cancel]").forEach((cancel) => {
    cancel.addEventListener("click", () => dialog.close());
  });
});
byId("new-workspace-button").addEventListener("click", () => void openNewWorkspace());
byId("enable-cloud-button").addEventListener("click", openEnableCloud);
byId("settings-button").addEventListener("click", () => {
  settingsOpen = !settingsOpen;
  render();
});

function runCommand(command: WindowCommand): void {
  if (command === "new-workspace") void openNewWorkspace();
  else if (command === "enable-cloud") openEnableCloud();
  else {
    settingsOpen = true;
    render();
  }
}

api.app.onState((next) => {
  state = next;
  render();
});
api.app.onCommand(runCommand);
api.app.state().then(
  (s) => {
    state = s;
    render();
    document.body.dataset.ready = "true";
  },
  (err) => showError("Loading", err),
);
// Relative times ("in 4 min") age; redraw now and then.
setInterval(render, 30_000);
