import type { WorkspaceStatus } from "@cw/contracts";
import type { VmTag } from "./vm-tag.ts";

/** A VM the provider lists that no workspace row points to. */
export interface UnknownVm {
  vmId: string;
  /** The provider's creation time, when it reports one. */
  createdAt: Date | null;
}

/** The workspace a tag names, as the database has it (null: no such row). */
export interface TaggedWorkspace {
  status: WorkspaceStatus;
  providerVmId: string | null;
  createdAt: Date;
}

export type JanitorDecision =
  | { kind: "adopt" }
  | { kind: "delete"; why: string }
  | { kind: "leave"; why: string };

/**
 * What to do with a VM nobody knows about, from its tag and the workspace the tag names. Pure:
 * `deployment` is this deployment's id, `graceMs` how long a VM may exist before it is judged.
 *
 * - Not tagged, or tagged by another deployment: never touched.
 * - Its workspace is still provisioning with no VM recorded: adopted (the create finished, but the
 *   run that made it died or gave up before recording it). A VM older than the workspace cannot be
 *   its VM, whatever its tag says.
 * - Its workspace is gone or in error (the create timed out; the run was interrupted), or has
 *   another VM: deleted once older than the grace period, so a create still in flight is never raced.
 */
export function janitorDecision(
  vm: UnknownVm,
  tag: VmTag | null,
  workspace: TaggedWorkspace | null,
  deployment: string,
  now: Date,
  graceMs: number,
): JanitorDecision {
  if (!tag) return { kind: "leave", why: "not tagged" };
  if (tag.deployment !== deployment) return { kind: "leave", why: "another deployment's" };
  if (workspace?.providerVmId === vm.vmId) return { kind: "leave", why: "recorded since it was listed" };
  const bornAt = vm.createdAt ?? new Date(tag.createdAt);
  if (workspace?.status === "provisioning" && workspace.providerVmId === null) {
    return bornAt.getTime() >= workspace.createdAt.getTime()
      ? { kind: "adopt" }
      : { kind: "leave", why: "older than the workspace it names" };
  }
  const orphaned =
    workspace === null
      ? "its workspace is gone"
      : workspace.status === "error"
        ? "its workspace is in error"
        : workspace.providerVmId !== null
          ? "its workspace has another VM"
          : null;
  if (!orphaned) return { kind: "leave", why: `its workspace is ${workspace!.status}` };
  if (now.getTime() - bornAt.getTime() < graceMs) return { kind: "leave", why: "within the grace period" };
  return { kind: "delete", why: orphaned };
}

/**
 * Which `size` of `items` to look at on turn `turn`: a window that moves on by its size each turn
 * and wraps, so every item is looked at within ceil(n / size) turns.
 */
export function rotatingWindow<T>(items: T[], size: number, turn: number): T[] {
  if (items.length <= size) return items;
  const start = (turn * size) % items.length;
  return [...items.slice(start), ...items.slice(0, start)].slice(0, size);
}
