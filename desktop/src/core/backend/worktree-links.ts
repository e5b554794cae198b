import type { WorktreeLinks } from "@cw/client-node/worktree";
import type { WorkspaceStore } from "../workspace-store.ts";

/** The desktop keeps worktree links in its workspace store, beside the rows they point to. */
export function storeLinks(store: Pick<WorkspaceStore, "snapshot" | "setLink">): WorktreeLinks {
  return {
    linkedWorkspace(worktreePath) {
      const { links, workspaces } = store.snapshot();
      const link = links.find((l) => l.worktreePath === worktreePath && l.cloudSyncEnabled);
      return link && workspaces.some((w) => w.id === link.cloudWorkspaceId) ? link.cloudWorkspaceId : null;
    },
    link: (worktreePath, workspaceId) =>
      store.setLink({ worktreePath, cloudWorkspaceId: workspaceId, cloudSyncEnabled: true }),
  };
}
