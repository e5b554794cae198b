import type { WorkspaceStatus } from "@cw/contracts";

export const DEFAULT_PROVISIONING_DEADLINE_MS = 10 * 60_000;

export interface ReconcileSubject {
  status: WorkspaceStatus;
  providerVmId: string | null;
  operation: string | null;
  createdAt: Date;
}

/** What the provider says, or that it no longer knows the VM. */
export type ProviderView =
  | { kind: "state"; status: WorkspaceStatus; message: string | null }
  | { kind: "gone" };

export type ReconcileDecision =
  | { kind: "none" }
  | { kind: "set"; status: WorkspaceStatus; message: string | null };

/**
 * How the database should change given what the provider reports. Provisioning gets until its
 * deadline to become running; after it, the workspace is in error with the provider's words.
 * A settled workspace follows the provider when they disagree (drift).
 */
export function reconcile(
  ws: ReconcileSubject,
  provider: ProviderView | null,
  now: Date,
  deadlineMs = DEFAULT_PROVISIONING_DEADLINE_MS,
): ReconcileDecision {
  const pastDeadline = now.getTime() - ws.createdAt.getTime() > deadlineMs;
  if (ws.status === "provisioning") {
    if (provider?.kind === "state" && provider.status !== "provisioning") {
      return { kind: "set", status: provider.status, message: provider.message };
    }
    if (!pastDeadline) return { kind: "none" };
    const why =
      provider === null
        ? "the VM was never created"
        : provider.kind === "gone"
          ? "the provider no longer knows the VM"
          : `the VM is still starting`;
    return {
      kind: "set",
      status: "error",
      message: `provisioning did not finish within ${Math.round(deadlineMs / 60_000)} minutes: ${why}`,
    };
  }
  if (provider === null) return { kind: "none" };
  if (provider.kind === "gone") {
    return { kind: "set", status: "error", message: "the VM no longer exists at the provider" };
  }
  if (provider.status === ws.status || provider.status === "provisioning") return { kind: "none" };
  const message =
    provider.status === "error"
      ? provider.message
      : `the provider reports the VM ${provider.status === "paused" ? "suspended" : provider.status}`;
  return { kind: "set", status: provider.status, message };
}
