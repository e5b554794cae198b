import { join } from "node:path";
import { parseArgs } from "node:util";
import { ensureConfigDir } from "../config-dir.ts";
import { runSshBridge } from "../ssh-bridge/bridge.ts";
import { BridgeError } from "../ssh-bridge/bridge-error.ts";
import { fetchCredentials } from "../ssh-bridge/credentials-url.ts";
import { loadOrCreateBridgeHostKey } from "../ssh-bridge/host-key.ts";
import { fileKnownHosts } from "../ssh-bridge/known-hosts.ts";
import { stdioStream, stdoutPipe } from "../ssh-bridge/stdio-stream.ts";

export const KNOWN_HOSTS_FILE = "known_hosts";

/**
 * `cw internal-ssh-bridge --credentials-url URL` (hidden): the SSH bridge as a ProxyCommand, with
 * credentials from a URL that answers like `POST /v1/workspaces/{id}/ssh` (bearer `CW_TOKEN`).
 * `cw ssh-proxy WS` is this with the workspace resolved, resumed and held through the API.
 * Returns the exit code.
 */
export async function internalSshBridge(argv: string[]): Promise<number> {
  let url: string | undefined;
  try {
    url = parseArgs({ args: argv, options: { "credentials-url": { type: "string" } } }).values[
      "credentials-url"
    ];
  } catch (e) {
    process.stderr.write(`cw: ${(e as Error).message}\n`);
    return 2;
  }
  if (!url || !URL.canParse(url)) {
    process.stderr.write("cw: internal-ssh-bridge needs --credentials-url URL\n");
    return 2;
  }
  const credentialsUrl = url;
  try {
    const dir = ensureConfigDir();
    await runSshBridge({
      local: stdioStream(process.stdin, stdoutPipe()),
      hostKey: loadOrCreateBridgeHostKey(dir).privateKey,
      credentials: () => fetchCredentials(credentialsUrl, process.env.CW_TOKEN),
      knownHosts: fileKnownHosts(join(dir, KNOWN_HOSTS_FILE)),
      say: (line) => process.stderr.write(`cw: ${line}\n`),
    });
    return 0;
  } catch (e) {
    // The bridge has said why already; anything else failed before it started.
    if (!(e instanceof BridgeError)) process.stderr.write(`cw: ssh bridge failed: ${(e as Error).message}\n`);
    return 1;
  }
}
