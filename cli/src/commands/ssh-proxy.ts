import { createApiClient } from "@cw/contracts/client";
import type { ParsedArgs } from "../args.ts";
import { bridgeOnStdio } from "../bridge-on-stdio.ts";
import { cacheDir } from "../config-dir.ts";
import { type ConnectHint, readHint, saveHint } from "../connect-hints.ts";
import type { CommandContext } from "../context.ts";
import { messageOf } from "../errors.ts";
import { currentLogin, type Login } from "../login-store.ts";
import { say } from "../output.ts";
import { BridgeError } from "../ssh-bridge/bridge-error.ts";
import type { GatewayCredentials } from "../ssh-bridge/credentials.ts";
import { holdPresence, runningWorkspace } from "../workspace-session.ts";

type Presence = ReturnType<typeof holdPresence>;

/**
 * The running workspace's credentials. With a hint, credentials for the workspace the name meant
 * last time are asked for at once, beside the lookup that checks the name still means it; they
 * are used only if it does and the workspace was running all along (else fresh ones are asked for).
 */
async function credentialsFor(
  login: Login,
  ref: string,
  hint: ConnectHint | null,
  hold: (presence: Presence) => void,
): Promise<GatewayCredentials> {
  const api = createApiClient({ baseUrl: login.url, token: login.token });
  const early = hint ? api.createSshCredentials(hint.workspaceId).catch(() => null) : null;
  const { workspace, waited } = await runningWorkspace(api, ref, true);
  const reused = !waited && workspace.id === hint?.workspaceId ? await early : null;
  const credentials = reused ?? (await api.createSshCredentials(workspace.id));
  // After the credentials, so joining does not compete with issuing them.
  hold(holdPresence(api, workspace.id, say));
  const gateway = { host: credentials.host, port: credentials.port };
  void saveHint(cacheDir(), { api: login.url, ref, workspaceId: workspace.id, gateway }).catch(() => {});
  return credentials;
}

/**
 * `cw ssh-proxy WS`: the ProxyCommand of cw's ssh_config block. The SSH bridge answers the local
 * `ssh` at once, while the workspace is resolved, resumed if need be, asked for fresh credentials
 * and marked in use; so every failure is said in one line at login, where ssh adds nothing of its
 * own. The workspace stays marked in use until the connection ends.
 */
export async function run(parsed: ParsedArgs, ctx: CommandContext): Promise<number> {
  const ref = parsed.args[0]!;
  let presence: Presence | undefined;
  let hint: ConnectHint | null = null;
  let credentials: Promise<GatewayCredentials>;
  try {
    const login = currentLogin(ctx.configDir);
    hint = readHint(cacheDir(), login.url, ref);
    credentials = credentialsFor(login, ref, hint, (p) => (presence = p));
  } catch (e) {
    credentials = Promise.reject(e);
  }
  try {
    return await bridgeOnStdio(
      ctx,
      credentials.catch((e: unknown) => {
        throw new BridgeError(messageOf(e));
      }),
      hint?.gateway,
    );
  } finally {
    presence?.release();
  }
}
