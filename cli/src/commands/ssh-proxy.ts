import type { ParsedArgs } from "../args.ts";
import { bridgeOnStdio } from "../bridge-on-stdio.ts";
import { type CommandContext, loggedInApi } from "../context.ts";
import { messageOf } from "../errors.ts";
import { say } from "../output.ts";
import { BridgeError } from "../ssh-bridge/bridge-error.ts";
import type { GatewayCredentials } from "../ssh-bridge/credentials.ts";
import type { GatewayAddress } from "../ssh-bridge/upstream.ts";
import { connectCredentials, gatewayHint, holdPresence } from "../workspace-session.ts";

/**
 * `cw ssh-proxy WS`: the ProxyCommand of cw's ssh_config block. The SSH bridge answers the local
 * `ssh` at once, while the workspace is resolved, resumed if need be, asked for fresh credentials
 * and marked in use; so every failure is said in one line at login, where ssh adds nothing of its
 * own. The workspace stays marked in use until the connection ends.
 */
export async function run(parsed: ParsedArgs, ctx: CommandContext): Promise<number> {
  const ref = parsed.args[0]!;
  let presence: ReturnType<typeof holdPresence> | undefined;
  let guess: GatewayAddress | undefined;
  let credentials: Promise<GatewayCredentials>;
  try {
    const api = loggedInApi(ctx);
    guess = gatewayHint(api, ref);
    credentials = connectCredentials(api, ref, true).then(({ workspace, credentials }) => {
      // After the credentials, so joining does not compete with issuing them.
      presence = holdPresence(api, workspace.id, say);
      return credentials;
    });
  } catch (e) {
    credentials = Promise.reject(e);
  }
  try {
    return await bridgeOnStdio(
      ctx,
      credentials.catch((e: unknown) => {
        throw new BridgeError(messageOf(e));
      }),
      guess,
    );
  } finally {
    presence?.release();
  }
}
