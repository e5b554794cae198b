import { z } from "zod";
import { WorkspacePresence } from "./activity.ts";
import { Workspace, WorkspaceSync } from "./workspace.ts";

/**
 * The workspace as it is synced (`GET /v1/shape?shape=workspaces`) and as the desktop's store keeps
 * it: the API's `Workspace` without what only the API shows (VM id, creator, allowed actions, when it
 * was auto-stopped, when git was checked), with `sync` flattened into columns and `activity`'s
 * sessions and holds as one `presence` column (clients explain it with `explainActivity`, at their
 * own `now`). Derived, not
 * restated: a field added to `Workspace` is synced unless it is listed here as API-only, and the
 * server's shape (migration 0005's `cloud_workspaces_shape_row()`) must render it — a worker test
 * compares the two.
 */
const apiOnly = {
  providerVmId: true,
  creatorId: true,
  allowedActions: true,
  autoStoppedAt: true,
  sync: true,
  activity: true,
} as const;

/** Which `sync` member each flattened column carries. */
const syncColumns = {
  syncStatus: "status",
  syncMessage: "message",
  localHeadSha: "localHeadSha",
  remoteHeadSha: "remoteHeadSha",
  uncommittedFiles: "uncommittedFiles",
  untrackedFiles: "untrackedFiles",
  unpushedCommits: "unpushedCommits",
  stashes: "stashes",
} as const satisfies Record<string, keyof WorkspaceSync>;
type SyncColumns = typeof syncColumns;

const syncShape = WorkspaceSync.shape;
const flattenedSync = Object.fromEntries(
  Object.entries(syncColumns).map(([column, member]) => [column, syncShape[member]]),
) as { [C in keyof SyncColumns]: (typeof syncShape)[SyncColumns[C]] };

export const SyncedWorkspace = z.object({
  ...Workspace.omit(apiOnly).shape,
  ...flattenedSync,
  presence: WorkspacePresence,
});
export type SyncedWorkspace = z.infer<typeof SyncedWorkspace>;

/** The API's workspace as the store keeps it (the polling store's rows). */
export function toSyncedWorkspace(w: Workspace): SyncedWorkspace {
  const flat = Object.fromEntries(
    Object.entries(syncColumns).map(([column, member]) => [column, w.sync[member]]),
  );
  const presence = { sessions: w.activity.sessions, holds: w.activity.holds };
  return SyncedWorkspace.parse({ ...w, ...flat, presence });
}

type SnakeCase<S extends string> = S extends `${infer C}${infer Rest}`
  ? `${C extends Lowercase<C> ? C : `_${Lowercase<C>}`}${SnakeCase<Rest>}`
  : S;
type SyncedShape = typeof SyncedWorkspace.shape;
type ShapeRowShape = { [K in keyof SyncedShape as SnakeCase<K>]: SyncedShape[K] };
export type WorkspaceShapeColumn = keyof ShapeRowShape;

const snakeCase = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const camelOf = new Map(Object.keys(SyncedWorkspace.shape).map((key) => [snakeCase(key), key]));

/** The synced columns, snake_case as Postgres names them, in the order of `SyncedWorkspace`. */
export const workspaceShapeColumns = [...camelOf.keys()] as WorkspaceShapeColumn[];

/**
 * One row of the `workspaces` shape as it arrives, after `@electric-sql/client` has parsed it by
 * `electric-schema` (int4 as numbers, everything else as text; timestamps are normalized to ISO).
 * Unknown columns (a newer server) are dropped, not fatal.
 */
export const WorkspaceShapeRow = z.object(
  Object.fromEntries(
    [...camelOf].map(([column, key]) => [column, SyncedWorkspace.shape[key as keyof SyncedShape]]),
  ) as ShapeRowShape,
);
export type WorkspaceShapeRow = z.infer<typeof WorkspaceShapeRow>;
const WorkspaceShapePatch = WorkspaceShapeRow.partial();

const camelize = (row: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(row).map(([column, value]) => [camelOf.get(column), value]));

/** A full row of the shape (an insert), or null when it does not parse. */
export function parseShapeRow(value: unknown): SyncedWorkspace | null {
  const parsed = WorkspaceShapeRow.safeParse(value);
  return parsed.success ? (camelize(parsed.data) as SyncedWorkspace) : null;
}

/** The changed columns of an update, or null when they do not parse. */
export function parseShapeRowPatch(value: unknown): Partial<SyncedWorkspace> | null {
  const parsed = WorkspaceShapePatch.safeParse(value);
  return parsed.success ? (camelize(parsed.data) as Partial<SyncedWorkspace>) : null;
}
