import { join } from "node:path";
import { parseArgs } from "node:util";
import { ensureConfigDir } from "../config-dir.ts";
import { BridgeError } from "../ssh-bridge/bridge-error.ts";

/** cw's known_hosts: the gateway's pinned keys, and the bridge's own under its HostKeyAlias. */
export const KNOWN_HOSTS_FILE = "known_hosts";

function parse(argv: string[]): { api: string; workspace: string } {
  const { values } = parseArgs({
    args: argv,
    options: { api: { type: "string" }, workspace: { type: "string" } },
  });
  const api = values.api ?? process.env.CW_URL;
  if (!api || !URL.canParse(api)) throw new Error("internal-ssh-bridge needs --api URL (or CW_URL)");
  if (!values.workspace) throw new Error("internal-ssh-bridge needs --workspace ID");
  return { api, workspace: values.workspace };
}

/**
 * `cw internal-ssh-bridge --api URL --workspace ID` (hidden): the SSH bridge as a ProxyCommand,
 * with fresh credentials from the API (`POST /v1/workspaces/{id}/ssh`, bearer `CW_TOKEN`).
 * `cw ssh-proxy WS` is this with the workspace resolved by name, resumed first and held while
 * connected. Returns the exit code.
 */
export async function run(argv: string[]): Promise<number> {
  let args: { api: string; workspace: string };
  try {
    args = parse(argv);
  } catch (e) {
    process.stderr.write(`cw: ${(e as Error).message}\n`);
    return 2;
  }
  const { createApiClient } = await import("@cw/contracts/client");
  const api = createApiClient({ baseUrl: args.api, token: process.env.CW_TOKEN });
  // Asked for before ssh2 loads, so the round trip overlaps most of our startup.
  const credentials = api.createSshCredentials(args.workspace).catch((e: Error) => {
    throw new BridgeError(`cannot get SSH credentials: ${e.message}`);
  });
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
