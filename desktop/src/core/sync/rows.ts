import { z } from "zod";
import type { WorkspaceRow } from "../workspace-store.ts";

/**
 * The `workspaces` shape's rows as they arrive (snake_case, after @electric-sql/client has parsed
 * them by `electric-schema`: int4 as numbers, everything else as strings) and their camelCase form
 * for the store. Server messages are parsed, never cast.
 */

/** ISO 8601 from either the built-in source's ISO text or Electric's Postgres text (`… 12:00:00.5+00`). */
export function toIso(text: string): string | null {
  const normalized = text.includes("T") ? text : text.replace(" ", "T").replace(/([+-]\d\d)$/, "$1:00");
  const date = new Date(normalized);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

const timestamp = z.string().transform((text, ctx) => {
  const iso = toIso(text);
  if (iso === null) {
    ctx.addIssue({ code: "custom", message: "not a timestamp" });
    return z.NEVER;
  }
  return iso;
});
const status = z.enum(["provisioning", "running", "paused", "stopped", "error"]);
const syncStatus = z.enum(["unknown", "up_to_date", "behind", "ahead", "dirty", "diverged", "error"]);
const count = z.number().int().min(0);

const wireColumns = {
  id: z.string().min(1),
  organization_id: z.string().min(1),
  repository_id: z.string().min(1),
  name: z.string(),
  branch: z.string(),
  provider_type: z.enum(["freestyle", "fly"]),
  status,
  status_message: z.string().nullable(),
  operation: z.string().nullable(),
  connected_count: count,
  auto_stop_minutes: count,
  auto_stop_action: z.enum(["pause", "stop"]),
  auto_stop_at: timestamp.nullable(),
  last_active_at: timestamp,
  sync_status: syncStatus,
  sync_message: z.string().nullable(),
  local_head_sha: z.string().nullable(),
  remote_head_sha: z.string().nullable(),
  created_at: timestamp,
  updated_at: timestamp,
};

type WireColumn = keyof typeof wireColumns;

const CAMEL = {
  id: "id",
  organization_id: "organizationId",
  repository_id: "repositoryId",
  name: "name",
  branch: "branch",
  provider_type: "providerType",
  status: "status",
  status_message: "statusMessage",
  operation: "operation",
  connected_count: "connectedCount",
  auto_stop_minutes: "autoStopMinutes",
  auto_stop_action: "autoStopAction",
  auto_stop_at: "autoStopAt",
  last_active_at: "lastActiveAt",
  sync_status: "syncStatus",
  sync_message: "syncMessage",
  local_head_sha: "localHeadSha",
  remote_head_sha: "remoteHeadSha",
  created_at: "createdAt",
  updated_at: "updatedAt",
} as const satisfies Record<WireColumn, keyof WorkspaceRow>;

// Unknown columns (a newer server) are dropped, not fatal.
const fullWireRow = z.object(wireColumns);
const partialWireRow = fullWireRow.partial();

function camelize(wire: Partial<Record<WireColumn, unknown>>): Partial<WorkspaceRow> {
  const out: Record<string, unknown> = {};
  for (const [column, value] of Object.entries(wire))
    if (column in CAMEL) out[CAMEL[column as WireColumn]] = value;
  return out as Partial<WorkspaceRow>;
}

export function parseFullRow(value: unknown): WorkspaceRow | null {
  const parsed = fullWireRow.safeParse(value);
  return parsed.success ? (camelize(parsed.data) as WorkspaceRow) : null;
}

export function parseRowPatch(value: unknown): Partial<WorkspaceRow> | null {
  const parsed = partialWireRow.safeParse(value);
  return parsed.success ? camelize(parsed.data) : null;
}

/** The store's own row schema, for what it reads back from disk. */
export const workspaceRowSchema = z.object({
  id: z.string(),
  organizationId: z.string(),
  repositoryId: z.string(),
  name: z.string(),
  branch: z.string(),
  providerType: z.enum(["freestyle", "fly"]),
  status,
  statusMessage: z.string().nullable(),
  operation: z.string().nullable(),
  connectedCount: count,
  autoStopMinutes: count,
  autoStopAction: z.enum(["pause", "stop"]),
  autoStopAt: z.string().nullable(),
  lastActiveAt: z.string(),
  syncStatus,
  syncMessage: z.string().nullable(),
  localHeadSha: z.string().nullable(),
  remoteHeadSha: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
}) satisfies z.ZodType<WorkspaceRow>;

/** Newest first, ties by id, as the API lists them. */
export function newestFirst(a: WorkspaceRow, b: WorkspaceRow): number {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? 1 : -1;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}
