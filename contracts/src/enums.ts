/**
 * The value lists of every enum the API, the database and the clients share. Plain data, no
 * imports: the Drizzle enums, the zod schemas and the desktop's renderer all start from these.
 */

export const workspaceStatusValues = ["provisioning", "running", "paused", "stopped", "error"] as const;
export type WorkspaceStatus = (typeof workspaceStatusValues)[number];

export const providerTypeValues = ["freestyle", "fly"] as const;
export type ProviderType = (typeof providerTypeValues)[number];

/** Who holds a presence session: the tray app, a browser, or `cw` (an SSH connection through its bridge). */
export const clientTypeValues = ["desktop", "web", "cli"] as const;
export type ClientType = (typeof clientTypeValues)[number];

/** What idle auto-stop does: pause (suspend: memory kept, resumes at once) or stop (disk kept). */
export const autoStopActionValues = ["pause", "stop"] as const;
export type AutoStopAction = (typeof autoStopActionValues)[number];

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
export type GitSyncStatus = (typeof gitSyncStatusValues)[number];

/** Whose a git credential is: the caller's own, or the organization's (used when a user has none). */
export const gitCredentialScopeValues = ["user", "organization"] as const;
export type GitCredentialScope = (typeof gitCredentialScopeValues)[number];

export const membershipRoleValues = ["owner", "member"] as const;
export type MembershipRole = (typeof membershipRoleValues)[number];

/** What a user (or the scheduler) can ask of a workspace; `status-table.ts` decides when. */
export const workspaceActionValues = ["pause", "resume", "stop", "delete"] as const;
export type WorkspaceAction = (typeof workspaceActionValues)[number];

/**
 * Why a running workspace is still running, or that it is not (`activity.ts` decides): someone is
 * connected, a hold is live, auto-stop is off, or nothing holds it and auto-stop is counting down.
 */
export const activityStateValues = [
  "counting_down",
  "held_by_sessions",
  "held_by_holds",
  "auto_stop_off",
  "not_running",
] as const;
export type ActivityState = (typeof activityStateValues)[number];

/** Every kind of event the audit log, the event stream and webhooks carry (`schemas/event.ts`). */
export const eventTypeValues = [
  "workspace.created",
  "workspace.updated",
  "workspace.status_changed",
  "workspace.auto_stop_coming",
  "workspace.sync_changed",
  "workspace.deleted",
  "hold.created",
  "hold.released",
  "session.joined",
  "session.left",
  "ssh.credentials_issued",
  "token.created",
  "token.deleted",
  "git_credential.created",
  "git_credential.deleted",
  "repository.created",
  "webhook.created",
  "webhook.deleted",
  "webhook.disabled",
  "webhook.enabled",
] as const;
export type EventType = (typeof eventTypeValues)[number];

/** A webhook endpoint receives deliveries while enabled; one failing for 24 hours is disabled. */
export const webhookStatusValues = ["enabled", "disabled"] as const;
export type WebhookStatus = (typeof webhookStatusValues)[number];

/**
 * Where one delivery to a webhook endpoint stands: still to be sent or retried, answered with a
 * 2xx, or given up on (its retry window passed, or its endpoint was disabled).
 */
export const webhookDeliveryStatusValues = ["pending", "delivered", "failed"] as const;
export type WebhookDeliveryStatus = (typeof webhookDeliveryStatusValues)[number];

/** Why a workspace's status changed. */
export const statusChangeReasonValues = [
  "user",
  "provisioned",
  "provisioning_failed",
  "auto_stop",
  "reconcile",
  "provider_failure",
] as const;
export type StatusChangeReason = (typeof statusChangeReasonValues)[number];

/** The control plane's own processes, when one of them (not a user) made a change. */
export const systemProcessValues = [
  "provisioning",
  "auto-stop",
  "reconcile",
  "git-poll",
  "janitor",
  "presence",
  "webhooks",
] as const;
export type SystemProcess = (typeof systemProcessValues)[number];
