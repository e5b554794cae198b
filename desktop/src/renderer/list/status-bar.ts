import type { AppState } from "../../shared/ipc.ts";
import { byId, h } from "../dom.ts";

/** The connection pill, the banners (unencrypted token, connection problem) and what needs setup. */
export function renderStatus(s: AppState, settingsOpen: boolean): void {
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
  byId("empty").hidden = (s.store?.workspaces.length ?? 0) > 0 || !s.configured;
}
