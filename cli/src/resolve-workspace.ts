import type { ApiClient } from "@cw/contracts/client";
import { ApiError } from "@cw/contracts/client";
import type { Workspace } from "@cw/contracts/types";
import { CliError } from "./errors.ts";
import { ambiguityMessage, looksLikeId, matchWorkspace } from "./workspace-ref.ts";

/**
 * The workspace a command-line argument names (see `workspace-ref.ts`): an id is fetched
 * directly; a name is looked up among all of the organization's workspaces. None, or several,
 * is a CliError saying so.
 */
export async function resolveWorkspace(
  api: Pick<ApiClient, "getWorkspace" | "listAllWorkspaces">,
  ref: string,
  allowSshHost = false,
): Promise<Workspace> {
  if (looksLikeId(ref)) {
    try {
      return await api.getWorkspace(ref);
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 404)) throw e;
    }
  }
  const match = matchWorkspace(await api.listAllWorkspaces(), ref, allowSshHost);
  if (match.kind === "one") return match.workspace;
  if (match.kind === "ambiguous") throw new CliError(ambiguityMessage(ref, match.candidates));
  throw new CliError(`no workspace named "${ref}" (cw ls lists them)`);
}
