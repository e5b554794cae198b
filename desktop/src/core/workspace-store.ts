import type { SyncedWorkspace } from "@cw/contracts/types";

/**
 * The contract between the workspace stores (`core/sync/`, fed by the worker's Electric shape, and
 * `polling-store.ts`) and everything that shows workspaces (tray menu, window). Plain data only, so
 * it crosses IPC. Types only: the renderer imports this file.
 */

/** One workspace as the store keeps it: the contract's synced row (camelCase, ISO timestamps). */
export type WorkspaceRow = SyncedWorkspace;

export type ConnectionState = "connecting" | "live" | "offline";

/** The link between a local git worktree and its cloud workspace (the seed's local-db fields). */
export interface WorktreeLink {
  worktreePath: string;
  cloudWorkspaceId: string;
  cloudSyncEnabled: boolean;
}

export interface StoreSnapshot {
  /** Newest first. */
  workspaces: WorkspaceRow[];
  connection: ConnectionState;
  /** ISO time of the last change or up-to-date from the server; null before the first. */
  lastUpdatedAt: string | null;
  links: WorktreeLink[];
}

export interface WorkspaceStore {
  snapshot(): StoreSnapshot;
  /** Called after every change (rows, connection state, links); returns an unsubscribe function. */
  subscribe(listener: (snapshot: StoreSnapshot) => void): () => void;
  setLink(link: WorktreeLink): Promise<void>;
  removeLink(worktreePath: string): Promise<void>;
  close(): Promise<void>;
}
