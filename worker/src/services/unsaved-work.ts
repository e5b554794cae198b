import { holdsUnsavedWork, type UnsavedWork } from "@cw/contracts";
import type { ChangeCause } from "../domain/events.ts";
import { repositoryHostOf } from "../domain/git-host.ts";
import { Problem } from "../domain/problems.ts";
import {
  describeUnsavedWork,
  parsePreserveReport,
  parseWorkReport,
  preserveCommand,
  unsavedWorkCommand,
  wipBranchName,
} from "../domain/unsaved-work.ts";
import { ProviderError } from "../providers/index.ts";
import { logError } from "../safe-log.ts";
import type { Deps } from "./deps.ts";
import { repositoryUrlOf } from "./vm-checkout.ts";
import { finishOperation, type WorkspaceRow } from "./workspace-rows.ts";

/**
 * Before a delete: the VM is checked live (not from the last poll) for work that exists nowhere
 * else, and that work is either pushed to the git host (`preserve`) or the delete is refused. Runs
 * under the workspace's `delete` operation lock; a refusal releases it, leaving the workspace as it
 * was (a paused or stopped VM woken for the check is put back to sleep).
 */

/** The check fetches from the git host (best effort) before it counts: a network command's time. */
const CHECK_TIMEOUT_MS = 60_000;

const describe = (err: unknown) => {
  if (err instanceof ProviderError) return err.message;
  logError("unsaved work check failed:", err);
  return "an unexpected error";
};

type Awake =
  | { kind: "gone" }
  | { kind: "awake"; sleepAgain: (() => Promise<void>) | null }
  | { kind: "unreachable"; why: string };

/** The VM running, woken from pause or stop if needed, as the provider says now. */
async function wake(deps: Deps, row: WorkspaceRow): Promise<Awake> {
  const provider = deps.providers(row.providerType);
  const vmId = row.providerVmId!;
  try {
    const state = await provider.status(vmId);
    switch (state.status) {
      case "running":
        return { kind: "awake", sleepAgain: null };
      case "paused":
        await provider.resume(vmId);
        return { kind: "awake", sleepAgain: () => provider.pause(vmId) };
      case "stopped":
        await provider.resume(vmId);
        return { kind: "awake", sleepAgain: () => provider.stop(vmId) };
      case "provisioning":
        return { kind: "unreachable", why: "its VM is still starting" };
      case "error":
        return { kind: "unreachable", why: state.message ?? "its VM is in an unknown state" };
    }
  } catch (err) {
    if (err instanceof ProviderError && err.notFound) return { kind: "gone" };
    return { kind: "unreachable", why: describe(err) };
  }
}

const refusal = (detail: string, work: UnsavedWork | null) =>
  new Problem(409, "unsaved-work", "Unsaved work", detail, { unsavedWork: work, canPreserve: work !== null });

/**
 * Throws the 409 after putting the VM back as it was and releasing the lock; if it cannot be put
 * back, the workspace is left in error saying so.
 */
async function refuse(
  deps: Deps,
  row: WorkspaceRow,
  awake: Awake,
  problem: Problem,
  cause: ChangeCause,
): Promise<never> {
  let outcome = {};
  if (awake.kind === "awake" && awake.sleepAgain) {
    try {
      await awake.sleepAgain();
    } catch (err) {
      outcome = {
        status: "error" as const,
        statusMessage: `woken to check for unsaved work, it could not be put back: ${describe(err)}`,
      };
    }
  }
  await finishOperation(deps, row.id, "delete", outcome, { ...cause, reason: "provider_failure" });
  throw problem;
}

/**
 * Checks the VM of `row` (holding the delete lock) and returns the branches pushed to save its
 * work (none when it holds none), or throws 409 `unsaved-work`: with what it holds, when not
 * `preserve` or when the push failed; with `unsavedWork: null` when it could not be checked.
 */
export async function saveOrRefuse(
  deps: Deps,
  row: WorkspaceRow,
  preserve: boolean,
  cause: ChangeCause,
): Promise<string[]> {
  if (!row.providerVmId) return [];
  const awake = await wake(deps, row);
  if (awake.kind === "gone") return [];
  const unknown = (why: string) =>
    refusal(
      `could not check the workspace for unsaved work (${why}); only ?force=true deletes it, losing whatever it holds`,
      null,
    );
  if (awake.kind === "unreachable") return refuse(deps, row, awake, unknown(awake.why), cause);
  const provider = deps.providers(row.providerType);
  const vmId = row.providerVmId;
  let report: ReturnType<typeof parseWorkReport>;
  try {
    const out = await provider.exec(vmId, unsavedWorkCommand({ fetch: true }), CHECK_TIMEOUT_MS);
    report = parseWorkReport(out.stdout);
  } catch (err) {
    return refuse(deps, row, awake, unknown(describe(err)), cause);
  }
  if (report.kind === "unreadable")
    return refuse(deps, row, awake, unknown("the VM's git did not report"), cause);
  if (report.kind === "no_checkout" || !holdsUnsavedWork(report.work)) return [];
  const { work } = report;
  const found = describeUnsavedWork(work);
  if (!preserve) {
    return refuse(
      deps,
      row,
      awake,
      refusal(
        `the workspace holds work that exists nowhere else: ${found}. Delete with ?preserve=true to push it to a cw/wip/… branch first, or ?force=true to discard it`,
        work,
      ),
      cause,
    );
  }
  const repoUrl = await repositoryUrlOf(deps, row.repositoryId);
  const host = repoUrl ? repositoryHostOf(repoUrl) : null;
  let saved: ReturnType<typeof parsePreserveReport>;
  try {
    const out = await provider.exec(
      vmId,
      preserveCommand(row.name, wipBranchName(row, deps.now())),
      deps.config.PROVIDER_CREATE_TIMEOUT_MS,
    );
    saved = parsePreserveReport(out, host);
  } catch (err) {
    saved = { ok: false, why: describe(err) };
  }
  if (!saved.ok) {
    return refuse(
      deps,
      row,
      awake,
      refusal(`the work could not be pushed, so nothing was deleted: ${saved.why} (it holds ${found})`, work),
      cause,
    );
  }
  return saved.pushed;
}
