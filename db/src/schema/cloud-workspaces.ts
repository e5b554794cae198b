import { sql } from "drizzle-orm";
import { index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { organizations, users } from "./accounts.ts";
import {
  autoStopActionEnum,
  clientTypeEnum,
  gitSyncStatusEnum,
  providerTypeEnum,
  workspaceStatusEnum,
} from "./enums.ts";
import { repositories } from "./repositories.ts";

const ts = (name: string) => timestamp(name, { withTimezone: true });

export const cloudWorkspaces = pgTable(
  "cloud_workspaces",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    repositoryId: uuid("repository_id")
      .notNull()
      .references(() => repositories.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    branch: text("branch").notNull(),
    providerType: providerTypeEnum("provider_type").notNull().default("freestyle"),
    providerVmId: text("provider_vm_id"),
    status: workspaceStatusEnum("status").notNull().default("provisioning"),
    statusMessage: text("status_message"),
    creatorId: uuid("creator_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    autoStopMinutes: integer("auto_stop_minutes").notNull().default(30),
    lastActiveAt: ts("last_active_at").notNull().defaultNow(),
    autoStopAction: autoStopActionEnum("auto_stop_action").notNull().default("pause"),
    /** Live sessions, written through by the workspace's Durable Object (the authority). */
    connectedCount: integer("connected_count").notNull().default(0),
    /**
     * When idle auto-stop will act: lastActiveAt + autoStopMinutes while running with nobody
     * connected, else null. Kept by a trigger (migration 0001) so no writer can forget it.
     */
    autoStopAt: ts("auto_stop_at"),
    autoStoppedAt: ts("auto_stopped_at"),
    /**
     * Who is connected and which holds are live, as the presence object last wrote them through: the
     * synced row shows them, the auto_stop_at trigger counts the holds' ends as activity. Its shape is
     * the contract's `WorkspacePresence`; readers parse it.
     */
    presence: jsonb("presence").notNull().default({ sessions: [], holds: [] }),
    /** The auto_stop_at an "auto-stop coming" event was recorded for, so each countdown warns once. */
    autoStopWarnedFor: ts("auto_stop_warned_for"),
    /** Last time the scheduler compared this workspace with its provider (drift checks go oldest first). */
    statusCheckedAt: ts("status_checked_at"),
    syncStatus: gitSyncStatusEnum("sync_status").notNull().default("unknown"),
    syncMessage: text("sync_message"),
    localHeadSha: text("local_head_sha"),
    remoteHeadSha: text("remote_head_sha"),
    syncCheckedAt: ts("sync_checked_at"),
    /** Work only the VM holds, as the git poller last counted it; null until it has looked. */
    uncommittedFiles: integer("uncommitted_files"),
    untrackedFiles: integer("untracked_files"),
    unpushedCommits: integer("unpushed_commits"),
    stashes: integer("stashes"),
    /**
     * The provider operation in flight (create, pause, resume, stop, delete), or null. Taking it
     * is a conditional update, so two requests can never drive the provider for one workspace at once.
     */
    operation: text("operation"),
    operationStartedAt: ts("operation_started_at"),
    idempotencyKey: text("idempotency_key"),
    idempotencyFingerprint: text("idempotency_fingerprint"),
    /** Millisecond precision, like the JavaScript dates in page cursors, so keyset pages never skip a row. */
    createdAt: ts("created_at").notNull().default(sql`date_trunc('milliseconds', now())`),
    updatedAt: ts("updated_at").notNull().defaultNow(),
  },
  (t) => [
    index("cloud_workspaces_org_page_idx").on(t.organizationId, t.createdAt.desc(), t.id.desc()),
    index("cloud_workspaces_status_active_idx").on(t.status, t.lastActiveAt),
    index("cloud_workspaces_auto_stop_idx").on(t.autoStopAt).where(sql`${t.autoStopAt} is not null`),
    // The scheduler's rolling batches (least recently checked first) read these in order, so a tick
    // costs the batch size, not the fleet size. Each matches its query's predicate and ordering.
    index("cloud_workspaces_drift_batch_idx")
      .on(sql`${t.statusCheckedAt} asc nulls first`, t.id)
      .where(sql`${t.status} <> 'provisioning' and ${t.providerVmId} is not null`),
    index("cloud_workspaces_git_batch_idx")
      .on(sql`${t.syncCheckedAt} asc nulls first`, t.id)
      .where(sql`${t.status} = 'running' and ${t.providerVmId} is not null`),
    uniqueIndex("cloud_workspaces_idempotency_idx")
      .on(t.organizationId, t.idempotencyKey)
      .where(sql`${t.idempotencyKey} is not null`),
  ],
);

export const cloudWorkspaceSessions = pgTable(
  "cloud_workspace_sessions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    workspaceId: uuid("workspace_id")
      .notNull()
      .references(() => cloudWorkspaces.id, { onDelete: "cascade" }),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    clientType: clientTypeEnum("client_type").notNull(),
    connectedAt: ts("connected_at").notNull().defaultNow(),
    lastHeartbeatAt: ts("last_heartbeat_at").notNull().defaultNow(),
  },
  (t) => [index("cloud_workspace_sessions_workspace_idx").on(t.workspaceId)],
);

/**
 * SSH access handed out for a workspace: the provider-side identity and token behind it. Kept so
 * every grant is revoked when it expires or when its workspace stops or is deleted. No cascade from
 * the workspace: a grant must outlive its row until the provider has revoked it.
 */
export const sshGrants = pgTable(
  "ssh_grants",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    workspaceId: uuid("workspace_id"),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    providerType: providerTypeEnum("provider_type").notNull(),
    providerVmId: text("provider_vm_id").notNull(),
    providerIdentityId: text("provider_identity_id").notNull(),
    providerTokenId: text("provider_token_id").notNull(),
    expiresAt: ts("expires_at").notNull(),
    createdAt: ts("created_at").notNull().defaultNow(),
    revokedAt: ts("revoked_at"),
  },
  (t) => [
    index("ssh_grants_live_expiry_idx").on(t.expiresAt).where(sql`${t.revokedAt} is null`),
    index("ssh_grants_workspace_idx").on(t.workspaceId),
    // Live grants are counted per organization against its cap.
    index("ssh_grants_live_org_idx").on(t.organizationId).where(sql`${t.revokedAt} is null`),
  ],
);

/**
 * The credential a workspace's VM authenticates with when it asks for a git host's credential
 * (`POST /v1/vm/git-credential`): a random secret installed in the VM at create, stored here only
 * as its SHA-256. One per workspace; deleting the workspace deletes it, which revokes it.
 */
export const workspaceVmCredentials = pgTable("workspace_vm_credentials", {
  workspaceId: uuid("workspace_id")
    .primaryKey()
    .references(() => cloudWorkspaces.id, { onDelete: "cascade" }),
  secretHash: text("secret_hash").notNull().unique(),
  createdAt: ts("created_at").notNull().defaultNow(),
});
