/**
 * The synced local store of workspaces (plain Node: no Electron, no native modules).
 *
 *   const store = await createWorkspaceSync({ apiUrl, token, file });
 *   store.snapshot(); store.subscribe((s) => render(s)); await store.close();
 */
export { createWorkspaceSync, type WorkspaceSyncOptions } from "./workspace-sync.ts";
