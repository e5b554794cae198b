import { join } from "node:path";
import { createPollingStore } from "../polling-store.ts";
import { createWorkspaceSync } from "../sync/index.ts";
import type { OpenStore } from "./control-plane.ts";

/**
 * The store the settings ask for, kept in `dir`: the Electric-synced one (`workspaces.json`, links
 * inside), or polling for a control plane without `/v1/shape` (links in `links.json`).
 */
export function storeIn(dir: string): OpenStore {
  return async ({ api, apiUrl, token, settings }) =>
    settings.listSource === "sync"
      ? {
          store: await createWorkspaceSync({ apiUrl, token, file: join(dir, "workspaces.json") }),
          source: "sync",
        }
      : {
          store: await createPollingStore({
            api,
            intervalMs: settings.pollIntervalSeconds * 1000,
            linksFile: join(dir, "links.json"),
          }),
          source: "polling",
        };
}
