import type { WorkspaceRow } from "../workspace-store.ts";

/**
 * The shape's rows are parsed by the contract (`parseShapeRow` / `parseShapeRowPatch` and the
 * `SyncedWorkspace` schema from `@cw/contracts`); what is left here is the store's order.
 */

/** Newest first, ties by id, as the API lists them. */
export function newestFirst(a: WorkspaceRow, b: WorkspaceRow): number {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? 1 : -1;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}
