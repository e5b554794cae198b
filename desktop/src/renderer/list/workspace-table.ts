import { unsavedSummary } from "@cw/contracts/unsaved-work-text";
import type { WorkspaceRow } from "../../core/workspace-store.ts";
import { statusLabel, type UiAction, uiActions } from "../../shared/workspace-actions.ts";
import { type ActivityView, activityView } from "../../shared/workspace-activity.ts";
import { h } from "../dom.ts";
import { autoStopRule, syncLabel } from "./format.ts";

/**
 * The workspace rows, one `<tr>` per workspace kept across updates (keyed by id). An update
 * rewrites a row's cells in place and rebuilds its buttons only when the actions on offer change:
 * a button under the pointer is never replaced between mouse down and up, so a click on it is
 * never lost to a list update (they arrive whenever anything changes anywhere).
 */
export type RowAction = UiAction | "keep-alive";

const BUTTONS: { action: RowAction; label: string; class?: string }[] = [
  { action: "terminal", label: "Terminal", class: "primary" },
  { action: "resume", label: "Resume" },
  { action: "pause", label: "Pause" },
  { action: "stop", label: "Stop" },
  { action: "keep-alive", label: "Keep alive" },
  { action: "delete", label: "Delete", class: "danger" },
];

function offered(w: WorkspaceRow): RowAction[] {
  const actions = new Set<RowAction>(uiActions(w));
  if (w.status === "running" && w.autoStopAt) actions.add("keep-alive");
  return BUTTONS.map((b) => b.action).filter((a) => actions.has(a));
}

interface RowView {
  tr: HTMLTableRowElement;
  workspace: HTMLTableCellElement;
  status: HTMLTableCellElement;
  who: HTMLTableCellElement;
  git: HTMLTableCellElement;
  activity: HTMLTableCellElement;
  actions: HTMLTableCellElement;
  /** The offered actions the buttons were built for. */
  built: string;
}

export class WorkspaceTable {
  private readonly views = new Map<string, RowView>();

  constructor(
    private readonly body: HTMLElement,
    private readonly onAction: (workspaceId: string, action: RowAction) => void,
  ) {}

  update(rows: WorkspaceRow[], busy: ReadonlySet<string>, now: Date): void {
    const seen = new Set<string>();
    rows.forEach((w, i) => {
      seen.add(w.id);
      const view = this.views.get(w.id) ?? this.create(w.id);
      fill(view, w, now);
      this.setButtons(view, w, busy.has(w.id));
      // Moved only when out of place (a new row above it), never re-inserted otherwise.
      const at = this.body.children[i] ?? null;
      if (at !== view.tr) this.body.insertBefore(view.tr, at);
    });
    for (const [id, view] of this.views) {
      if (seen.has(id)) continue;
      view.tr.remove();
      this.views.delete(id);
    }
  }

  private create(id: string): RowView {
    const cell = (attrs: Record<string, string> = {}) => h("td", attrs);
    const view: RowView = {
      tr: h("tr", { "data-id": id }),
      workspace: cell(),
      status: cell(),
      who: cell({ class: "who" }),
      git: cell(),
      activity: cell({ class: "activity" }),
      actions: cell({ class: "actions" }),
      built: "",
    };
    view.tr.append(view.workspace, view.status, view.who, view.git, view.activity, view.actions);
    this.views.set(id, view);
    return view;
  }

  private setButtons(view: RowView, w: WorkspaceRow, busy: boolean): void {
    const actions = offered(w);
    const key = actions.join(" ");
    if (key !== view.built) {
      view.built = key;
      view.actions.replaceChildren(
        ...BUTTONS.filter((b) => actions.includes(b.action)).map((b) =>
          h(
            "button",
            { class: b.class, "data-action": b.action, onclick: () => this.onAction(w.id, b.action) },
            b.label,
          ),
        ),
      );
    }
    view.actions.querySelectorAll("button").forEach((b) => {
      b.disabled = busy;
    });
  }
}

function fill(view: RowView, w: WorkspaceRow, now: Date): void {
  view.tr.dataset.status = w.status;
  view.workspace.replaceChildren(
    h("div", { class: "name" }, w.name),
    h("div", { class: "branch" }, `⎇ ${w.branch}`),
  );
  const status =
    w.status === "provisioning"
      ? h(
          "span",
          { class: "status status-provisioning" },
          h("progress", { "aria-label": "provisioning" }),
          " Provisioning…",
        )
      : h("span", { class: `status status-${w.status}` }, statusLabel[w.status]);
  view.status.replaceChildren(status);
  if (w.operation) view.status.append(h("span", { class: "muted" }, ` (${w.operation}…)`));
  if (w.statusMessage) view.status.append(h("div", { class: "status-message" }, w.statusMessage));
  const activity = activityView(w, now);
  view.who.replaceChildren(...whoIsThere(activity));
  view.git.title = w.syncMessage ?? "";
  const unsaved = unsavedSummary(w);
  view.git.replaceChildren(
    h("span", { class: "sync" }, syncLabel[w.syncStatus]),
    unsaved && h("div", { class: "unsaved", title: "only in the VM: not on the git host" }, unsaved),
  );
  view.tr.dataset.activity = activity.state;
  // Not running: the status says so; what auto-stop will do once it runs again.
  view.activity.textContent = activity.line || autoStopRule(w);
}

/** The people connected (name, client, since when; email on hover) and the live holds (reason, who, until). */
function whoIsThere(activity: ActivityView): Node[] {
  if (activity.people.length === 0 && activity.holds.length === 0)
    return [h("span", { class: "muted" }, "—")];
  return [
    activity.people.length > 0 &&
      h(
        "ul",
        { class: "people" },
        activity.people.map((p) =>
          h(
            "li",
            { class: "person", title: p.email },
            h("span", { class: "person-name" }, p.name),
            h("span", { class: "muted" }, ` ${p.clientType} · since ${p.since}`),
          ),
        ),
      ),
    activity.holds.length > 0 &&
      h(
        "ul",
        { class: "holds" },
        activity.holds.map((hold) =>
          h(
            "li",
            { class: "hold", "data-hold-id": hold.id },
            "hold ",
            h("span", { class: "hold-reason" }, `'${hold.reason}'`),
            h("span", { class: "muted" }, " by "),
            h("span", { class: "hold-by" }, hold.by),
            h("span", { class: "muted" }, " until "),
            h("span", { class: "hold-until" }, hold.until),
          ),
        ),
      ),
  ].filter((n): n is HTMLUListElement => n !== false);
}
