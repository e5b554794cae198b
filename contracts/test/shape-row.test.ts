import { describe, expect, it } from "vitest";
import {
  parseShapeRow,
  parseShapeRowPatch,
  SyncedWorkspace,
  toSyncedWorkspace,
  type Workspace,
  workspaceShapeColumns,
} from "../src/index.ts";

const wire = {
  id: "7f0c0d3e-8a51-4a39-9d59-1c1f1b8e0a11",
  organization_id: "00000000-0000-4000-8000-0000000000aa",
  repository_id: "00000000-0000-4000-8000-0000000000bb",
  name: "w",
  branch: "main",
  provider_type: "freestyle",
  status: "running",
  status_message: null,
  operation: null,
  connected_count: 1,
  auto_stop_minutes: 30,
  auto_stop_action: "pause",
  auto_stop_at: null,
  // Electric sends Postgres' text form; the built-in source ISO.
  last_active_at: "2026-01-01 12:00:00.5+00",
  sync_status: "behind",
  sync_message: null,
  local_head_sha: "a".repeat(40),
  remote_head_sha: "b".repeat(40),
  uncommitted_files: 2,
  untracked_files: 0,
  unpushed_commits: null,
  stashes: 1,
  // jsonb, which the client has parsed by electric-schema.
  presence: {
    sessions: [
      {
        sessionId: "00000000-0000-4000-8000-0000000000dd",
        userId: "00000000-0000-4000-8000-0000000000cc",
        name: "Alice",
        email: "alice@example.test",
        clientType: "desktop",
        since: "2026-01-01T11:48:00.000Z",
      },
    ],
    holds: [],
  },
  created_at: "2026-01-01T09:00:00.000Z",
  updated_at: "2026-01-01T12:00:00.500Z",
};

describe("the synced workspace row", () => {
  it("is the API's workspace minus its API-only fields, with sync flattened into snake_case columns", () => {
    expect(workspaceShapeColumns).toEqual(expect.arrayContaining(Object.keys(wire)));
    expect(workspaceShapeColumns).toHaveLength(Object.keys(wire).length);
    expect(workspaceShapeColumns).not.toContain("provider_vm_id");
  });

  it("parses a full row (timestamps to ISO, unknown columns dropped) and refuses a malformed one", () => {
    const row = parseShapeRow({ ...wire, from_a_newer_server: "x" });
    expect(row).toMatchObject({
      id: wire.id,
      connectedCount: 1,
      syncStatus: "behind",
      localHeadSha: "a".repeat(40),
      lastActiveAt: "2026-01-01T12:00:00.500Z",
      uncommittedFiles: 2,
      unpushedCommits: null,
      stashes: 1,
    });
    expect(row).not.toHaveProperty("from_a_newer_server");
    expect(parseShapeRow({ ...wire, status: "sleeping" })).toBeNull();
    expect(parseShapeRow({ ...wire, last_active_at: "yesterday" })).toBeNull();
    expect(parseShapeRow({ ...wire, presence: { sessions: [{ name: "no id" }], holds: [] } })).toBeNull();
  });

  it("parses an update's changed columns only", () => {
    expect(parseShapeRowPatch({ status: "paused", connected_count: 0 })).toEqual({
      status: "paused",
      connectedCount: 0,
    });
    expect(parseShapeRowPatch({ connected_count: -1 })).toBeNull();
  });

  it("maps an API workspace to the same row", () => {
    const row = parseShapeRow(wire)!;
    const api: Workspace = {
      ...row,
      providerVmId: "vm1",
      creatorId: "00000000-0000-4000-8000-0000000000cc",
      allowedActions: ["pause", "stop", "delete"],
      autoStoppedAt: null,
      activity: { state: "held_by_sessions", autoStopAt: null, ...row.presence },
      sync: {
        status: row.syncStatus,
        message: row.syncMessage,
        localHeadSha: row.localHeadSha,
        remoteHeadSha: row.remoteHeadSha,
        checkedAt: null,
        uncommittedFiles: row.uncommittedFiles,
        untrackedFiles: row.untrackedFiles,
        unpushedCommits: row.unpushedCommits,
        stashes: row.stashes,
      },
    };
    expect(toSyncedWorkspace(api)).toEqual(row);
    expect(SyncedWorkspace.parse(row)).toEqual(row);
  });
});
