import type { SshCredentials } from "@cw/contracts";
import { type Executor, schema } from "@cw/db";
import { count } from "drizzle-orm";
import { userActor } from "../domain/events.ts";
import { notFound, Problem } from "../domain/problems.ts";
import { ProviderError } from "../providers/index.ts";
import { type Caller, type Deps, notifyChange } from "./deps.ts";
import { recordEvents } from "./event-log.ts";
import { limitProblem, type OrganizationLimit, withinOrganizationLimit } from "./organization-limits.ts";
import { liveGrantsOf, revokeGrant } from "./ssh-grants.ts";
import { findWorkspace, type WorkspaceRow } from "./workspace-rows.ts";

/** The ready-to-paste command for an SSH gateway login. */
export function sshCommand(username: string, host: string, port: number): string {
  return `ssh ${username}@${host}${port === 22 ? "" : ` -p ${port}`}`;
}

/** SSH access is handed out only to a running workspace with no operation in flight. */
const mayGrant = (row: WorkspaceRow) =>
  row.status === "running" && row.providerVmId !== null && !row.operation;

function refusal(row: WorkspaceRow) {
  if (row.operation) {
    return new Problem(
      409,
      "operation-in-progress",
      "Operation in progress",
      `${row.operation} is in progress; try again when it is done`,
      { workspaceStatus: row.status, operation: row.operation },
    );
  }
  return new Problem(
    409,
    "not-running",
    "Workspace not running",
    `workspace is ${row.status}; resume it first`,
    {
      workspaceStatus: row.status,
    },
  );
}

const grantLimit = (deps: Deps): OrganizationLimit => ({
  name: "MAX_SSH_GRANTS_PER_ORGANIZATION",
  max: deps.config.MAX_SSH_GRANTS_PER_ORGANIZATION,
  noun: "live SSH grants",
  status: 429,
});

const countLive = async (db: Executor, organizationId: string, now: Date) =>
  (await db.select({ n: count() }).from(schema.sshGrants).where(liveGrantsOf(organizationId, now)))[0]!.n;

/**
 * Short-lived SSH credentials. The provider-side identity and token are recorded before they are
 * returned, so they are revoked at expiry and on stop, pause and delete; if recording fails (or the
 * organization's limit is reached meanwhile) they are revoked at once rather than left live and
 * untracked. A stop, pause or delete that began while the grant was being made revoked only the
 * grants it could see, so the workspace is looked at again once this one is recorded.
 */
export async function issueSshCredentials(deps: Deps, caller: Caller, id: string): Promise<SshCredentials> {
  const row = await findWorkspace(deps, caller.organizationId, id);
  if (!row) throw notFound("workspace");
  if (!mayGrant(row)) throw refusal(row);
  const limit = grantLimit(deps);
  // A cheap look first, so a full organization costs no provider calls; the count that decides is below.
  const live = await countLive(deps.db, row.organizationId, deps.now());
  if (live >= limit.max) throw limitProblem(limit, live);

  const provider = deps.providers(row.providerType);
  let access: Awaited<ReturnType<typeof provider.grantSsh>>;
  try {
    access = await provider.grantSsh(row.providerVmId!);
  } catch (err) {
    const detail = err instanceof ProviderError ? err.message : "SSH grant failed";
    throw new Problem(502, "provider-error", "Provider call failed", detail);
  }
  const now = deps.now();
  const expiresAt = new Date(now.getTime() + deps.config.SSH_TOKEN_TTL_SECONDS * 1000);
  let recorded: { id: string }[];
  try {
    recorded = await withinOrganizationLimit(
      deps.db,
      row.organizationId,
      limit,
      (tx) => countLive(tx, row.organizationId, now),
      async (tx) => {
        const grant = await tx
          .insert(schema.sshGrants)
          .values({
            workspaceId: row.id,
            organizationId: row.organizationId,
            providerType: row.providerType,
            providerVmId: row.providerVmId!,
            providerIdentityId: access.identityId,
            providerTokenId: access.tokenId,
            expiresAt,
          })
          .returning({ id: schema.sshGrants.id });
        await recordEvents(tx, row.organizationId, userActor(caller), [
          {
            type: "ssh.credentials_issued",
            workspaceId: row.id,
            data: { expiresAt: expiresAt.toISOString() },
          },
        ]);
        return grant;
      },
    );
  } catch (err) {
    await provider.revokeSsh(access).catch(() => {});
    throw err;
  }

  const after = await findWorkspace(deps, caller.organizationId, id);
  if (!after || !mayGrant(after) || after.providerVmId !== row.providerVmId) {
    await revokeGrant(deps, recorded[0]!.id);
    throw after ? refusal(after) : notFound("workspace");
  }
  await notifyChange(deps, row.organizationId);
  return {
    host: access.host,
    port: access.port,
    username: access.username,
    token: access.token,
    expiresAt: expiresAt.toISOString(),
    command: sshCommand(access.username, access.host, access.port),
  };
}
