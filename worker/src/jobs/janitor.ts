import { schema } from "@cw/db";
import { and, eq, isNull, sql } from "drizzle-orm";
import { janitorDecision, rotatingWindow, type UnknownVm } from "../domain/janitor.ts";
import { availableProviders } from "../providers/index.ts";
import { logError } from "../safe-log.ts";
import { deploymentId } from "../services/deployment.ts";
import type { Deps } from "../services/deps.ts";
import { findWorkspaceById } from "../services/workspace-rows.ts";
import { fanOut, type JobBudget, unbudgeted, withSlot } from "./fan-out.ts";

const ws = schema.cloudWorkspaces;
/** Tags read per tick (one provider call each), over a window that moves on every minute. */
export const JANITOR_TAG_READS = 25;
/** Provider VM ids are short alphanumeric strings; anything else is left alone, never interpolated. */
const VM_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * VMs nobody knows about: lists the provider's VMs, and for those no workspace row points to reads
 * their tag and decides (domain/janitor.ts): adopt one whose workspace is still provisioning,
 * delete one whose workspace is gone or in error once past the grace period, leave everything
 * else — above all, anything not tagged as this deployment's. Within the budget: the part of
 * this minute's window it did not reach is counted as `left` (the window moves on with the minute,
 * and comes round to those VMs again).
 */
export async function janitorJob(deps: Deps, opts: { tagReads?: number; budget?: JobBudget } = {}) {
  const budget = opts.budget ?? unbudgeted();
  const now = deps.now();
  const graceMs = deps.config.ORPHAN_VM_GRACE_MINUTES * 60_000;
  let listed = 0;
  let unknown = 0;
  let inspected = 0;
  let adopted = 0;
  let deleted = 0;
  let failed = 0;
  let left = 0;
  const deployment = await deploymentId(deps.db);
  for (const type of availableProviders) {
    const provider = deps.providers(type);
    const vms = (await withSlot(budget, () => provider.list())).filter((vm) => VM_ID.test(vm.vmId));
    listed += vms.length;
    if (vms.length === 0) continue;
    const known = await deps.db
      .select({ vmId: ws.providerVmId })
      .from(ws)
      .where(
        and(
          eq(ws.providerType, type),
          sql`${ws.providerVmId} = any(${`{${vms.map((v) => v.vmId).join(",")}}`}::text[])`,
        ),
      );
    const knownIds = new Set(known.map((k) => k.vmId));
    const strangers: UnknownVm[] = vms
      .filter((vm) => !knownIds.has(vm.vmId))
      .sort((a, b) => (a.vmId < b.vmId ? -1 : 1));
    unknown += strangers.length;
    const turn = Math.floor(now.getTime() / 60_000);
    const window = rotatingWindow(strangers, opts.tagReads ?? JANITOR_TAG_READS, turn);
    const inspect = async (vm: UnknownVm) => {
      inspected++;
      try {
        const tag = await provider.readTag(vm.vmId);
        const row =
          tag && tag.deployment === deployment ? await findWorkspaceById(deps, tag.workspaceId) : null;
        const decision = janitorDecision(vm, tag, row, deployment, now, graceMs);
        if (decision.kind === "adopt") {
          const [took] = await deps.db
            .update(ws)
            .set({ providerVmId: vm.vmId, updatedAt: now })
            .where(and(eq(ws.id, tag!.workspaceId), eq(ws.status, "provisioning"), isNull(ws.providerVmId)))
            .returning({ id: ws.id });
          if (took) adopted++;
        } else if (decision.kind === "delete") {
          await provider.delete(vm.vmId);
          console.log(`janitor: deleted VM ${vm.vmId}: ${decision.why}`);
          deleted++;
        }
      } catch (err) {
        failed++;
        logError(`janitor: VM ${vm.vmId} failed:`, err);
      }
    };
    left += (await fanOut(window, inspect, budget)).left;
  }
  return { listed, unknown, inspected, adopted, deleted, failed, left };
}
