/**
 * The contract between the synced local store (`core/sync/`, fed by the worker's Electric shape)
 * and everything that shows workspaces (tray menu, window). Plain data only, so it crosses IPC.
 */

export type WorkspaceStatus = "provisioning" | "running" | "paused" | "stopped" | "error";
export type GitSyncStatus = "unknown" | "up_to_date" | "behind" | "ahead" | "dirty" | "diverged" | "error";

/** One row of the organization's `workspaces` shape, camelCased, timestamps as ISO strings. */
export interface WorkspaceRow {
  id: string;
  organizationId: string;
  repositoryId: string;
  name: string;
  branch: string;
  providerType: "freestyle" | "fly";
  status: WorkspaceStatus;
  statusMessage: string | null;
  operation: string | null;
  connectedCount: number;
  autoStopMinutes: number;
  autoStopAction: "pause" | "stop";
  /** When idle auto-stop will act; null when it will not (not running, disabled, or someone connected). */
  autoStopAt: string | null;
  lastActiveAt: string;
  syncStatus: GitSyncStatus;
  syncMessage: string | null;
  localHeadSha: string | null;
  remoteHeadSha: string | null;
  createdAt: string;
  updatedAt: string;
}

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
