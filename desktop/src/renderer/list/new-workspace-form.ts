import type { DesktopApi, Repository } from "../../shared/ipc.ts";
import { byId, h } from "../dom.ts";
import { setFormError, submitDialog } from "./errors.ts";

/** The "new cloud workspace" dialog: pick (or add) a repository, name, branch, auto-stop. */
export function newWorkspaceForm(api: DesktopApi): { open(): Promise<void> } {
  const dialog = byId<HTMLDialogElement>("new-workspace");
  const form = byId<HTMLFormElement>("new-workspace-form");
  const select = byId<HTMLSelectElement>("repo-select");
  let repositories: Repository[] = [];

  function fillRepositories(selectedId: string | undefined): void {
    select.replaceChildren(
      ...repositories.map((r) => h("option", { value: r.id, selected: r.id === selectedId }, r.name)),
      h("option", { value: "__add" }, "Add a repository by clone URL…"),
    );
    onRepositoryChange();
  }

  function onRepositoryChange(): void {
    byId("add-repo").hidden = select.value !== "__add";
    const repo = repositories.find((r) => r.id === select.value);
    const branch = byId<HTMLInputElement>("branch");
    if (repo && !branch.value) branch.value = repo.defaultBranch;
  }

  select.addEventListener("change", onRepositoryChange);

  byId("add-repo-button").addEventListener("click", async () => {
    setFormError(form, null);
    try {
      const repo = await api.repositories.add({ cloneUrl: byId<HTMLInputElement>("clone-url").value });
      repositories = [...repositories, repo];
      fillRepositories(repo.id);
    } catch (err) {
      setFormError(form, err);
    }
  });

  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const repositoryId = select.value;
    if (!repositoryId || repositoryId === "__add")
      return setFormError(form, new Error("Choose a repository first"));
    const input = {
      repositoryId,
      name: byId<HTMLInputElement>("ws-name").value.trim(),
      branch: byId<HTMLInputElement>("branch").value.trim(),
      autoStopMinutes: Number(byId<HTMLInputElement>("auto-stop").value),
    };
    void submitDialog(form, dialog, () => api.workspaces.create(input));
  });

  return {
    async open() {
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
    },
  };
}
