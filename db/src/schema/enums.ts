import {
  autoStopActionValues,
  clientTypeValues,
  gitCredentialScopeValues,
  gitSyncStatusValues,
  membershipRoleValues,
  providerTypeValues,
  webhookDeliveryStatusValues,
  webhookStatusValues,
  workspaceStatusValues,
} from "@cw/contracts/enums";
import { pgEnum } from "drizzle-orm/pg-core";

/** The Postgres enums, from the contract's value lists (the API, the database and clients agree by construction). */
export const workspaceStatusEnum = pgEnum("cloud_workspace_status", workspaceStatusValues);
export const providerTypeEnum = pgEnum("cloud_provider_type", providerTypeValues);
export const clientTypeEnum = pgEnum("cloud_client_type", clientTypeValues);
export const membershipRoleEnum = pgEnum("membership_role", membershipRoleValues);
export const autoStopActionEnum = pgEnum("auto_stop_action", autoStopActionValues);
export const gitSyncStatusEnum = pgEnum("git_sync_status", gitSyncStatusValues);
export const gitCredentialScopeEnum = pgEnum("git_credential_scope", gitCredentialScopeValues);
export const webhookStatusEnum = pgEnum("webhook_status", webhookStatusValues);
export const webhookDeliveryStatusEnum = pgEnum("webhook_delivery_status", webhookDeliveryStatusValues);
