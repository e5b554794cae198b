import { join } from "node:path";
import { parseArgs } from "node:util";
import { ensureConfigDir } from "../config-dir.ts";
import { BridgeError } from "../ssh-bridge/bridge-error.ts";
import { fetchCredentials } from "../ssh-bridge/credentials-url.ts";

/** cw's known_hosts: the gateway's pinned keys, and the bridge's own under its HostKeyAlias. */
export const KNOWN_HOSTS_FILE = "known_hosts";

function credentialsUrl(argv: string[]): string {
  const { values } = parseArgs({ args: argv, options: { "credentials-url": { type: "string" } } });
  const url = values["credentials-url"];
  if (!url || !URL.canParse(url)) throw new Error("internal-ssh-bridge needs --credentials-url URL");
  return url;
}

/**
 * `cw internal-ssh-bridge --credentials-url URL` (hidden): the SSH bridge as a ProxyCommand, with
 * credentials from a URL that answers like `POST /v1/workspaces/{id}/ssh` (bearer `CW_TOKEN`).
 * `cw ssh-proxy WS` is this with the workspace resolved, resumed and held through the API.
 * Returns the exit code.
 */
export async function run(argv: string[]): Promise<number> {
  let url: string;
  try {
    url = credentialsUrl(argv);
  } catch (e) {
    process.stderr.write(`cw: ${(e as Error).message}\n`);
    return 2;
  }
  // Asked for before ssh2 loads, so the round trip overlaps most of our startup.
  const credentials = fetchCredentials(url, process.env.CW_TOKEN);
  // Reported by the bridge, which awaits it.
  credentials.catch(() => {});
  try {
    const bridge = await import("../ssh-bridge/index.ts");
    const dir = ensureConfigDir();
    await bridge.runSshBridge({
      local: bridge.stdioStream(process.stdin, bridge.stdoutPipe()),
      hostKey: bridge.loadOrCreateBridgeHostKey(dir).privateKey,
      credentials: () => credentials,
      knownHosts: bridge.fileKnownHosts(join(dir, KNOWN_HOSTS_FILE)),
      say: (line) => process.stderr.write(`cw: ${line}\n`),
    });
    return 0;
  } catch (e) {
    // The bridge has said why already; anything else failed before it started.
    if (!(e instanceof BridgeError)) process.stderr.write(`cw: ssh bridge failed: ${(e as Error).message}\n`);
    return 1;
  }
}
