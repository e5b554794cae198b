import { pgEnum } from "drizzle-orm/pg-core";
import { z } from "zod";

export const workspaceStatusValues = ["provisioning", "running", "paused", "stopped", "error"] as const;
export const workspaceStatusSchema = z.enum(workspaceStatusValues);
export type WorkspaceStatus = z.infer<typeof workspaceStatusSchema>;

export const providerTypeValues = ["freestyle", "fly"] as const;
export const providerTypeSchema = z.enum(providerTypeValues);
export type ProviderType = z.infer<typeof providerTypeSchema>;

export const clientTypeValues = ["desktop", "web"] as const;
export const clientTypeSchema = z.enum(clientTypeValues);
export type ClientType = z.infer<typeof clientTypeSchema>;

export const membershipRoleValues = ["owner", "member"] as const;

/** What idle auto-stop does: pause (suspend: memory kept, resumes at once) or stop (disk kept). */
export const autoStopActionValues = ["pause", "stop"] as const;
export const autoStopActionSchema = z.enum(autoStopActionValues);
export type AutoStopAction = z.infer<typeof autoStopActionSchema>;

/** Where a workspace's checkout stands against its branch on the git host. */
export const gitSyncStatusValues = [
  "unknown",
  "up_to_date",
  "behind",
  "ahead",
  "dirty",
  "diverged",
  "error",
] as const;
export const gitSyncStatusSchema = z.enum(gitSyncStatusValues);
export type GitSyncStatus = z.infer<typeof gitSyncStatusSchema>;

export const workspaceStatusEnum = pgEnum("cloud_workspace_status", workspaceStatusValues);
export const providerTypeEnum = pgEnum("cloud_provider_type", providerTypeValues);
export const clientTypeEnum = pgEnum("cloud_client_type", clientTypeValues);
export const membershipRoleEnum = pgEnum("membership_role", membershipRoleValues);
export const autoStopActionEnum = pgEnum("auto_stop_action", autoStopActionValues);
export const gitSyncStatusEnum = pgEnum("git_sync_status", gitSyncStatusValues);
