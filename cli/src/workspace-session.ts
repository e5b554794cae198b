import { joinPresence } from "@cw/client-node/presence";
import type { ApiClient } from "@cw/contracts/client";
import type { SshCredentials, Workspace } from "@cw/contracts/types";
import { cacheDir } from "./config-dir.ts";
import { readHint, saveHint } from "./connect-hints.ts";
import { startProgress } from "./progress.ts";
import { resolveWorkspace } from "./resolve-workspace.ts";
import { untilRunning } from "./running-workspace.ts";

/**
 * The running workspace `ref` names, resumed first when it is paused or stopped (progress on a
 * terminal only, and only when there is something to wait for). `waited` says whether it was not
 * running at first.
 */
export async function runningWorkspace(
  api: ApiClient,
  ref: string,
  allowSshHost = false,
): Promise<{ workspace: Workspace; waited: boolean }> {
  const ws = await resolveWorkspace(api, ref, allowSshHost);
  if (ws.status === "running" && ws.operation === null) return { workspace: ws, waited: false };
  const progress = startProgress(`opening ${ws.name}`);
  try {
    return { workspace: await untilRunning(api, ws, { resume: true, progress }), waited: true };
  } finally {
    progress.stop();
  }
}

/**
 * Marks the workspace in use for as long as the connection lives, as the desktop's terminals do:
 * a presence WebSocket of client type `cli`, so auto-stop never fires under an editor; a crash
 * drops it at once. Joined in the background (the connection does not wait for it). `release`
 * starts leaving and returns: the process exits right after, and a socket closed by the exit
 * counts as left too, so waiting for the close handshake would only delay the user's prompt.
 * A refusal is said once; drops are retried quietly.
 */
export function holdPresence(api: ApiClient, workspaceId: string, say: (line: string) => void) {
  const joined = joinPresence({ api, clientType: "cli" }, workspaceId).catch((e: Error) => {
    say(`could not mark the workspace in use (${e.message}); auto-stop may stop it while you are connected`);
    return null;
  });
  return {
    release(): void {
      void joined.then((presence) => presence?.leave());
    },
  };
}

/**
 * Fresh SSH credentials for the workspace `ref` names, running (resumed if need be). The last
 * connection's hint (connect-hints.ts) lets credentials for the workspace the name meant then be
 * asked for at once, beside the lookup that checks it still means it; they are used only if it
 * does and the workspace was running all along, else fresh ones are asked for. The hint is then
 * brought up to date.
 */
export async function connectCredentials(
  api: ApiClient,
  ref: string,
  allowSshHost: boolean,
): Promise<{ workspace: Workspace; credentials: SshCredentials }> {
  const hint = readHint(cacheDir(), api.baseUrl, ref);
  const early = hint ? api.createSshCredentials(hint.workspaceId).catch(() => null) : null;
  const { workspace, waited } = await runningWorkspace(api, ref, allowSshHost);
  const reused = !waited && workspace.id === hint?.workspaceId ? await early : null;
  const credentials = reused ?? (await api.createSshCredentials(workspace.id));
  const gateway = { host: credentials.host, port: credentials.port };
  void saveHint(cacheDir(), { api: api.baseUrl, ref, workspaceId: workspace.id, gateway }).catch(() => {});
  return { workspace, credentials };
}

/** Where the last connection to `ref` found its gateway, if cw remembers. */
export const gatewayHint = (api: ApiClient, ref: string) => readHint(cacheDir(), api.baseUrl, ref)?.gateway;
