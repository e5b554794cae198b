import type { ParsedArgs } from "../args.ts";
import { bridgeOnStdio } from "../bridge-on-stdio.ts";
import { type CommandContext, loggedInApi } from "../context.ts";
import { messageOf } from "../errors.ts";
import { say } from "../output.ts";
import { BridgeError } from "../ssh-bridge/bridge-error.ts";
import { holdPresence, runningWorkspace } from "../workspace-session.ts";

/**
 * `cw ssh-proxy WS`: the ProxyCommand of cw's ssh_config block. The SSH bridge answers the local
 * `ssh` at once, while the workspace is resolved, resumed if need be, marked in use and asked for
 * fresh credentials; so every failure is said in one line at login, where ssh adds nothing of its
 * own. The workspace stays marked in use until the connection ends.
 */
export async function run(parsed: ParsedArgs, ctx: CommandContext): Promise<number> {
  let presence: ReturnType<typeof holdPresence> | undefined;
  const credentials = (async () => {
    const api = loggedInApi(ctx);
    const ws = await runningWorkspace(api, parsed.args[0]!, true);
    presence = holdPresence(api, ws.id, say);
    return api.createSshCredentials(ws.id);
  })().catch((e: unknown) => {
    throw new BridgeError(messageOf(e));
  });
  try {
    return await bridgeOnStdio(ctx, credentials);
  } finally {
    presence?.release();
  }
}
