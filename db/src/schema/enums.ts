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

export const workspaceStatusEnum = pgEnum("cloud_workspace_status", workspaceStatusValues);
export const providerTypeEnum = pgEnum("cloud_provider_type", providerTypeValues);
export const clientTypeEnum = pgEnum("cloud_client_type", clientTypeValues);
export const membershipRoleEnum = pgEnum("membership_role", membershipRoleValues);
