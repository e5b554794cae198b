import type { WorkspaceShapeColumn } from "@cw/contracts";
import type { ColumnSchema } from "./protocol.ts";

/**
 * The shapes a client may ask for, by name. The server alone decides each one's table, columns and
 * organization scoping; the client's query string can only pick a name from this list.
 *
 * The columns are the contract's synced row (`WorkspaceShapeColumn`, from `@cw/contracts`): the
 * compiler makes this list name each exactly once. They must match what
 * `cloud_workspaces_shape_row()` (migration 0005, extended by 0009 and 0012) returns: the built-in source sends that function's
 * output and this schema; a test compares the two.
 */
export interface ShapeDefinition {
  name: string;
  table: string;
  /** Column name → type, as sent in `electric-schema`; the keys are the synced columns, in order. */
  columns: Record<string, ColumnSchema>;
  /** The column that scopes rows to the caller's organization. */
  organizationColumn: string;
  /** SQL function (migration 0005) rendering one row of `table` as `{column: text}` jsonb. */
  rowFunction: string;
}

const text = (notNull = true): ColumnSchema =>
  notNull ? { type: "text", not_null: true } : { type: "text" };
const uuid: ColumnSchema = { type: "uuid", not_null: true };
const int4 = (notNull = true): ColumnSchema =>
  notNull ? { type: "int4", not_null: true } : { type: "int4" };
const timestamptz = (notNull = true): ColumnSchema =>
  notNull ? { type: "timestamptz", not_null: true } : { type: "timestamptz" };
const enumOf = (type: string): ColumnSchema => ({ type, not_null: true });

const workspaces: ShapeDefinition = {
  name: "workspaces",
  table: "cloud_workspaces",
  organizationColumn: "organization_id",
  rowFunction: "cloud_workspaces_shape_row",
  columns: {
    id: { type: "uuid", not_null: true, pk_index: 0 },
    organization_id: uuid,
    repository_id: uuid,
    name: text(),
    branch: text(),
    provider_type: enumOf("cloud_provider_type"),
    status: enumOf("cloud_workspace_status"),
    status_message: text(false),
    operation: text(false),
    connected_count: int4(),
    auto_stop_minutes: int4(),
    auto_stop_action: enumOf("auto_stop_action"),
    auto_stop_at: timestamptz(false),
    last_active_at: timestamptz(),
    sync_status: enumOf("git_sync_status"),
    sync_message: text(false),
    local_head_sha: text(false),
    remote_head_sha: text(false),
    uncommitted_files: int4(false),
    untracked_files: int4(false),
    unpushed_commits: int4(false),
    stashes: int4(false),
    presence: { type: "jsonb", not_null: true },
    created_at: timestamptz(),
    updated_at: timestamptz(),
  } satisfies Record<WorkspaceShapeColumn, ColumnSchema>,
};

export const SHAPES = { workspaces } as const satisfies Record<string, ShapeDefinition>;
export type ShapeName = keyof typeof SHAPES;
export const SHAPE_NAMES = Object.keys(SHAPES) as [ShapeName, ...ShapeName[]];

/** Electric's row key format (`"schema"."table"/"pk"`); clients treat it as opaque. */
export const rowKey = (shape: ShapeDefinition, id: string) => `"public"."${shape.table}"/"${id}"`;
