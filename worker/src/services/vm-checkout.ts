import { schema } from "@cw/db";
import { eq } from "drizzle-orm";
import { repositoryHostOf } from "../domain/git-host.ts";
import { setupCommand, setupFailure, vmGitFiles } from "../domain/vm-git-setup.ts";
import type { VmFile } from "../providers/index.ts";
import type { Deps } from "./deps.ts";
import { issueVmCredential } from "./vm-credentials.ts";
import type { WorkspaceRow } from "./workspace-rows.ts";

/**
 * A new VM's git: the files written at create (the credential helper, and a fresh VM credential
 * for this workspace, replacing any earlier one), see domain/vm-git-setup.ts.
 */
export async function vmGitFilesFor(deps: Deps, workspaceId: string): Promise<Record<string, VmFile>> {
  return vmGitFiles(deps.config.PUBLIC_URL, await issueVmCredential(deps, workspaceId));
}

/**
 * Clones the workspace's branch in its VM with the VM's own git and the credential helper (and
 * configures that helper), unless a checkout is already there: safe to run again. A clone gets the
 * create's deadline. Returns null when the checkout is ready, else why not, in our words.
 */
export async function prepareCheckout(
  deps: Deps,
  row: Pick<WorkspaceRow, "providerType" | "branch">,
  vmId: string,
  repoUrl: string,
): Promise<string | null> {
  const out = await deps
    .providers(row.providerType)
    .exec(vmId, setupCommand(repoUrl, row.branch), deps.config.PROVIDER_CREATE_TIMEOUT_MS);
  return setupFailure(out, repositoryHostOf(repoUrl));
}

export async function repositoryUrlOf(deps: Deps, repositoryId: string): Promise<string | null> {
  const [repo] = await deps.db
    .select({ cloneUrl: schema.repositories.cloneUrl })
    .from(schema.repositories)
    .where(eq(schema.repositories.id, repositoryId));
  return repo?.cloneUrl ?? null;
}
