import { allowedActions, transitionFor, type WorkspaceAction } from "@cw/contracts";
import { schema } from "@cw/db";
import { and, eq } from "drizzle-orm";
import { type ChangeCause, systemActor, userActor } from "../domain/events.ts";
import { lockStaleAfterMs, operationIsStale } from "../domain/operation-lock.ts";
import { notFound, Problem } from "../domain/problems.ts";
import { workspaceView } from "../domain/workspace-view.ts";
import { ProviderError } from "../providers/index.ts";
import { logError } from "../safe-log.ts";
import { deploymentId } from "./deployment.ts";
import { type Caller, type Deps, notifyChange } from "./deps.ts";
import { recordEvents } from "./event-log.ts";
import { checkRepositoryUrl, ResolverUnavailable } from "./repository-url-check.ts";
import { revokeWorkspaceGrants } from "./ssh-grants.ts";
import { saveOrRefuse } from "./unsaved-work.ts";
import { prepareCheckout, vmGitFilesFor } from "./vm-checkout.ts";
import {
  acquireOperation,
  actionGuard,
  findWorkspace,
  finishOperation,
  type WorkspaceRow,
} from "./workspace-rows.ts";

const ws = schema.cloudWorkspaces;

/**
 * The words a failure leaves on the workspace. A provider's are fit to show; anything else (a
 * database error's message holds its query's parameters) is logged safely and summarized.
 */
function describe(err: unknown) {
  if (err instanceof ProviderError) return err.message;
  logError("workspace operation failed:", err);
  return "the operation failed unexpectedly; try again";
}

function providerProblem(deps: Deps, row: WorkspaceRow | null, err: unknown) {
  return new Problem(502, "provider-error", "Provider call failed", describe(err), {
    workspace: row ? workspaceView(row, deps.now()) : null,
  });
}

/** Why `action` cannot run on `row` now. */
export function conflictProblem(deps: Deps, row: WorkspaceRow, action: WorkspaceAction) {
  if (row.operation && !operationIsStale(row.operationStartedAt, deps.now(), lockStaleAfterMs(deps.config))) {
    return new Problem(
      409,
      "operation-in-progress",
      "Operation in progress",
      `${row.operation} is in progress`,
      {
        workspaceStatus: row.status,
        operation: row.operation,
      },
    );
  }
  const why = row.providerVmId === null && row.status !== "provisioning" ? " (it has no VM)" : "";
  return new Problem(
    409,
    "invalid-transition",
    "Invalid transition",
    `cannot ${action} a workspace that is ${row.status}${why}`,
    { workspaceStatus: row.status, allowedActions: allowedActions(row) },
  );
}

async function lock(deps: Deps, caller: Caller, id: string, action: WorkspaceAction) {
  const locked = await acquireOperation(deps, id, action, actionGuard(caller.organizationId, action));
  if (locked) return locked;
  const current = await findWorkspace(deps, caller.organizationId, id);
  if (!current) throw notFound("workspace");
  throw conflictProblem(deps, current, action);
}

const provisioned: ChangeCause = { actor: systemActor("provisioning") };
const provisioningFailed: ChangeCause = { actor: systemActor("provisioning"), reason: "provisioning_failed" };

/** Ends a create in error with `why`. */
const failCreate = (deps: Deps, id: string, why: string) =>
  finishOperation(deps, id, "create", { status: "error", statusMessage: why }, provisioningFailed);

/** Ends a create as the provider reports the VM (`extra`: what a finished create also records). */
async function settleCreate(
  deps: Deps,
  row: WorkspaceRow,
  vmId: string,
  extra: { lastActiveAt?: Date } = {},
) {
  const state = await deps.providers(row.providerType).status(vmId);
  return finishOperation(
    deps,
    row.id,
    "create",
    { status: state.status, statusMessage: state.message, ...extra },
    state.status === "error" ? provisioningFailed : provisioned,
  );
}

/**
 * Runs the background half of create: the VM is made, its id recorded at once (so it can never
 * be lost), then its state decides running, still provisioning, or error.
 */
export async function provisionWorkspace(deps: Deps, row: WorkspaceRow, repoUrl: string) {
  const refused = await repositoryRefusal(deps, repoUrl);
  if (refused) return failCreate(deps, row.id, refused);
  const provider = deps.providers(row.providerType);
  try {
    const { vmId } = await provider.create({
      workspaceName: row.name,
      tag: {
        deployment: await deploymentId(deps.db),
        workspaceId: row.id,
        createdAt: deps.now().toISOString(),
      },
      files: await vmGitFilesFor(deps, row.id),
    });
    await deps.db
      .update(ws)
      .set({ providerVmId: vmId, updatedAt: deps.now() })
      .where(and(eq(ws.id, row.id), eq(ws.operation, "create")));
    const unready = await prepareCheckout(deps, row, vmId, repoUrl);
    if (unready) return await failCreate(deps, row.id, unready);
    return await settleCreate(deps, row, vmId, { lastActiveAt: deps.now() });
  } catch (err) {
    return await failCreate(deps, row.id, describe(err));
  }
}

/** Why the repository may not be cloned now (its host may have moved since it was added), or null. */
async function repositoryRefusal(deps: Deps, repoUrl: string): Promise<string | null> {
  try {
    const check = await checkRepositoryUrl(deps, repoUrl);
    return check.ok ? null : `the repository URL is not allowed: ${check.message}`;
  } catch (err) {
    if (!(err instanceof ResolverUnavailable)) throw err;
    return "could not check the repository's host (DNS unavailable); delete the workspace and create it again";
  }
}

/**
 * Settles a workspace whose create was interrupted (its run died after the attempt began): if the
 * VM id was recorded, its checkout is finished (the clone is safe to run again) and the provider's
 * state decides; else error — never by creating a second VM.
 */
export async function abandonProvisioning(deps: Deps, row: WorkspaceRow, repoUrl: string) {
  if (!row.providerVmId)
    return failCreate(
      deps,
      row.id,
      "provisioning was interrupted before the VM was recorded; delete the workspace and create it again",
    );
  try {
    const unready = await prepareCheckout(deps, row, row.providerVmId, repoUrl);
    if (unready) return await failCreate(deps, row.id, unready);
    return await settleCreate(deps, row, row.providerVmId);
  } catch (err) {
    return await failCreate(deps, row.id, describe(err));
  }
}

/** pause / resume / stop: one provider call under the workspace's operation lock. */
export async function applyAction(
  deps: Deps,
  caller: Caller,
  id: string,
  action: "pause" | "resume" | "stop",
) {
  const locked = await lock(deps, caller, id, action);
  const done = await performAction(deps, locked, action, action, { actor: userActor(caller) });
  return done ?? (await findWorkspace(deps, caller.organizationId, id))!;
}

/**
 * The provider half of pause / resume / stop for a workspace whose lock `operation` is held.
 * Success lands the transition's status (plus `extra`); failure lands error and throws a 502 problem.
 * `cause` is who asked (a user, or auto-stop), recorded with the status change.
 */
export async function performAction(
  deps: Deps,
  locked: WorkspaceRow,
  action: "pause" | "resume" | "stop",
  operation: string,
  cause: ChangeCause,
  extra: Partial<Pick<WorkspaceRow, "statusMessage" | "autoStoppedAt">> = {},
) {
  const id = locked.id;
  const transition = transitionFor(locked, action)!;
  const provider = deps.providers(locked.providerType);
  const vmId = locked.providerVmId!;
  // SSH access ends with the VM's running life: revoked before the VM is paused or stopped, so a
  // failing provider call leaves no grant behind either (a failed revocation is retried by the cron).
  if (action !== "resume") await revokeWorkspaceGrants(deps, id);
  try {
    if (action === "pause") await provider.pause(vmId);
    if (action === "resume") await provider.resume(vmId);
    if (action === "stop") await provider.stop(vmId);
  } catch (err) {
    const row = await finishOperation(
      deps,
      id,
      operation,
      { status: "error", statusMessage: describe(err) },
      { ...cause, reason: "provider_failure" },
    );
    throw providerProblem(deps, row, err);
  }
  const to = transition.to as WorkspaceRow["status"];
  return finishOperation(
    deps,
    id,
    operation,
    {
      status: to,
      statusMessage: null,
      ...(to === "running" ? { lastActiveAt: deps.now(), autoStoppedAt: null } : {}),
      ...extra,
    },
    cause,
  );
}

/**
 * Checks the VM for unsaved work unless `force` (saving it to the git host first with `preserve`,
 * else refusing with 409 `unsaved-work`: services/unsaved-work.ts), then revokes SSH access,
 * deletes the VM (already gone is fine), then the row — which revokes the VM's credential — then
 * closes presence sockets. Answers the branches pushed.
 */
export async function deleteWorkspace(
  deps: Deps,
  caller: Caller,
  id: string,
  opts: { preserve: boolean; force: boolean },
): Promise<{ pushedBranches: string[] }> {
  const locked = await lock(deps, caller, id, "delete");
  const cause: ChangeCause = { actor: userActor(caller) };
  const pushedBranches = opts.force ? [] : await saveOrRefuse(deps, locked, opts.preserve, cause);
  try {
    await revokeWorkspaceGrants(deps, id);
    if (locked.providerVmId) await deps.providers(locked.providerType).delete(locked.providerVmId);
  } catch (err) {
    const row = await finishOperation(
      deps,
      id,
      "delete",
      { status: "error", statusMessage: describe(err) },
      { ...cause, reason: "provider_failure" },
    );
    throw providerProblem(deps, row, err);
  }
  await deps.db.transaction(async (tx) => {
    const gone = await tx
      .delete(ws)
      .where(and(eq(ws.id, id), eq(ws.operation, "delete")))
      .returning({ id: ws.id });
    if (gone.length === 0) return;
    await recordEvents(tx, locked.organizationId, cause.actor, [
      { type: "workspace.deleted", workspaceId: id, data: { name: locked.name, pushedBranches } },
    ]);
  });
  await notifyChange(deps, locked.organizationId);
  // Sockets counting as presence close now; the object's own audit would within a minute anyway.
  await deps
    .presence(id)
    .closeAll()
    .catch((err) => logError("closing the deleted workspace's presence sockets failed:", err));
  return { pushedBranches };
}
