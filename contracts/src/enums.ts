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
