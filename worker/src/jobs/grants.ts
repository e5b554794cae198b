import { logError } from "../safe-log.ts";
import type { Deps } from "../services/deps.ts";
import { dueGrants, revokeGrantRow } from "../services/ssh-grants.ts";
import { fanOut, type JobBudget, unbudgeted } from "./fan-out.ts";

/** Grants revoked per tick at most; the rest are next in line. */
export const GRANTS_BATCH = 100;

/**
 * SSH grants past their expiry, and those whose revocation failed before, revoked at the
 * provider, earliest expiry first, several at a time within the budget. A failure leaves the grant
 * due, so the next tick tries again.
 */
export async function grantsJob(deps: Deps, budget: JobBudget = unbudgeted()) {
  const rows = await dueGrants(deps, GRANTS_BATCH);
  let failed = 0;
  const { done, left } = await fanOut(
    rows,
    async (grant) => {
      try {
        await revokeGrantRow(deps, grant);
      } catch (err) {
        failed++;
        logError(`revoking SSH grant ${grant.id} failed:`, err);
      }
    },
    budget,
  );
  return { due: rows.length, revoked: done - failed, failed, left };
}
