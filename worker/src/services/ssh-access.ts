import type { SshCredentials } from "@cw/contracts";
import { schema } from "@cw/db";
import { notFound, Problem } from "../domain/problems.ts";
import { ProviderError } from "../providers/index.ts";
import type { Caller, Deps } from "./deps.ts";
import { findWorkspace } from "./workspace-rows.ts";

/** The ready-to-paste command for an SSH gateway login. */
export function sshCommand(username: string, host: string, port: number): string {
  return `ssh ${username}@${host}${port === 22 ? "" : ` -p ${port}`}`;
}

/**
 * Short-lived SSH credentials. The provider-side identity and token are recorded before they are
 * returned, so they are revoked at expiry, on stop and on delete; if recording fails they are
 * revoked at once rather than left live and untracked.
 */
export async function issueSshCredentials(deps: Deps, caller: Caller, id: string): Promise<SshCredentials> {
  const row = await findWorkspace(deps, caller.organizationId, id);
  if (!row) throw notFound("workspace");
  if (row.status !== "running" || !row.providerVmId || row.operation) {
    throw new Problem(
      409,
      "not-running",
      "Workspace not running",
      `workspace is ${row.status}; resume it first`,
      {
        workspaceStatus: row.status,
      },
    );
  }
  const provider = deps.providers(row.providerType);
  let access: Awaited<ReturnType<typeof provider.grantSsh>>;
  try {
    access = await provider.grantSsh(row.providerVmId);
  } catch (err) {
    const detail = err instanceof ProviderError ? err.message : "SSH grant failed";
    throw new Problem(502, "provider-error", "Provider call failed", detail);
  }
  const expiresAt = new Date(deps.now().getTime() + deps.config.SSH_TOKEN_TTL_SECONDS * 1000);
  try {
    await deps.db.insert(schema.sshGrants).values({
      workspaceId: row.id,
      organizationId: row.organizationId,
      providerType: row.providerType,
      providerVmId: row.providerVmId,
      providerIdentityId: access.identityId,
      providerTokenId: access.tokenId,
      expiresAt,
    });
  } catch (err) {
    await provider.revokeSsh(access).catch(() => {});
    throw err;
  }
  return {
    host: access.host,
    port: access.port,
    username: access.username,
    token: access.token,
    expiresAt: expiresAt.toISOString(),
    command: sshCommand(access.username, access.host, access.port),
  };
}
