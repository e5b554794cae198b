import { readFile } from "node:fs/promises";
import { writePrivateFile } from "@cw/client-node/private-files";
import { toSyncedWorkspace } from "@cw/contracts";
import type { ApiClient } from "@cw/contracts/client";
import { z } from "zod";
import type { StoreSnapshot, WorkspaceStore, WorktreeLink } from "./workspace-store.ts";

/**
 * A `WorkspaceStore` fed by polling `GET /v1/workspaces`: the stand-in used while the
 * Electric-synced store (`core/sync/`) is not available. Same contract, so nothing above it
 * changes when the synced one is wired in; `refresh()` lets actions show their result at once.
 */
export interface PollingStore extends WorkspaceStore {
  refresh(): Promise<void>;
}

const LinksFile = z.object({
  links: z.array(
    z.object({ worktreePath: z.string(), cloudWorkspaceId: z.string(), cloudSyncEnabled: z.boolean() }),
  ),
});

export interface PollingStoreOptions {
  api: Pick<ApiClient, "listAllWorkspaces">;
  intervalMs: number;
  /** Where worktree links persist; null keeps them in memory. */
  linksFile: string | null;
  now?: () => Date;
}

export async function createPollingStore(opts: PollingStoreOptions): Promise<PollingStore> {
  const now = opts.now ?? (() => new Date());
  let snapshot: StoreSnapshot = {
    workspaces: [],
    connection: "connecting",
    lastUpdatedAt: null,
    links: await readLinks(opts.linksFile),
  };
  const listeners = new Set<(s: StoreSnapshot) => void>();
  let closed = false;
  let inFlight: Promise<void> | null = null;

  const publish = (next: StoreSnapshot) => {
    snapshot = next;
    for (const l of listeners) l(snapshot);
  };

  function refresh(): Promise<void> {
    // Coalesce: a refresh asked for while one runs waits for that one and then runs once more.
    const run = async () => {
      try {
        const rows = (await opts.api.listAllWorkspaces()).map(toSyncedWorkspace);
        if (closed) return;
        const changed =
          snapshot.connection !== "live" || JSON.stringify(rows) !== JSON.stringify(snapshot.workspaces);
        if (changed)
          publish({ ...snapshot, workspaces: rows, connection: "live", lastUpdatedAt: now().toISOString() });
      } catch {
        if (!closed && snapshot.connection !== "offline") publish({ ...snapshot, connection: "offline" });
      }
    };
    const next = (inFlight ?? Promise.resolve()).then(run);
    inFlight = next.finally(() => {
      if (inFlight === next) inFlight = null;
    });
    return next;
  }

  await refresh();
  const timer = setInterval(() => void refresh(), opts.intervalMs);
  timer.unref?.();

  async function saveLinks(links: WorktreeLink[]) {
    publish({ ...snapshot, links });
    if (!opts.linksFile) return;
    await writePrivateFile(opts.linksFile, JSON.stringify({ links }, null, 2));
  }

  return {
    snapshot: () => snapshot,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    refresh,
    setLink: (link) =>
      saveLinks([...snapshot.links.filter((l) => l.worktreePath !== link.worktreePath), link]),
    removeLink: (path) => saveLinks(snapshot.links.filter((l) => l.worktreePath !== path)),
    async close() {
      closed = true;
      clearInterval(timer);
      listeners.clear();
      await inFlight?.catch(() => {});
    },
  };
}

async function readLinks(file: string | null): Promise<WorktreeLink[]> {
  if (!file) return [];
  try {
    const parsed = LinksFile.safeParse(JSON.parse(await readFile(file, "utf8")));
    return parsed.success ? parsed.data.links : [];
  } catch {
    return [];
  }
}
