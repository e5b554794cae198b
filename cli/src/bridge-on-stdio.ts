import { ensureConfigDir, knownHostsFile } from "./config-dir.ts";
import type { CommandContext } from "./context.ts";
import { messageOf } from "./errors.ts";
import { say } from "./output.ts";
import { BridgeError } from "./ssh-bridge/bridge-error.ts";
import type { GatewayCredentials } from "./ssh-bridge/credentials.ts";
import type { GatewayAddress } from "./ssh-bridge/upstream.ts";

/**
 * Serves the local `ssh` on stdin/stdout through the SSH bridge (a ProxyCommand's life), with the
 * gateway credentials `credentials` settles with; a BridgeError's message is said as is. Call it
 * right after starting the credentials' requests: loading the bridge (ssh2) then overlaps them.
 * `gatewayGuess`: where the gateway probably is, to connect to it before the credentials arrive.
 * Returns 0 when the connection ended normally, 1 when it could not be made or dropped.
 */
export async function bridgeOnStdio(
  ctx: CommandContext,
  credentials: Promise<GatewayCredentials>,
  gatewayGuess?: GatewayAddress,
): Promise<number> {
  // Said by the bridge, which awaits it.
  credentials.catch(() => {});
  try {
    const bridge = await import("./ssh-bridge/index.ts");
    const dir = ensureConfigDir(ctx.configDir);
    await bridge.runSshBridge({
      local: bridge.stdioStream(process.stdin, bridge.stdoutPipe()),
      hostKey: bridge.loadOrCreateBridgeHostKey(dir).privateKey,
      credentials: () => credentials,
      gatewayGuess,
      knownHosts: bridge.fileKnownHosts(knownHostsFile(dir)),
      say,
      onReady: ctx.warm,
    });
    return 0;
  } catch (e) {
    // The bridge has said why already; anything else failed before it started.
    if (!(e instanceof BridgeError)) say(`ssh bridge failed: ${messageOf(e)}`);
    return 1;
  }
}
