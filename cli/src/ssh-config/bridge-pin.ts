import { knownHostsFile } from "../config-dir.ts";
import { BRIDGE_HOST_ALIAS, loadOrCreateBridgeHostKey } from "../ssh-bridge/host-key.ts";
import { fileKnownHosts } from "../ssh-bridge/known-hosts.ts";

/**
 * Makes the bridge's host key (created on first use) known to the local `ssh` under its
 * HostKeyAlias in cw's known_hosts, so `ssh cw-<name>` never asks whether to trust it.
 */
export async function pinBridgeHostKey(dir: string): Promise<string> {
  const { publicKey } = loadOrCreateBridgeHostKey(dir);
  const pins = fileKnownHosts(knownHostsFile(dir));
  if (!(await pins.lookup(BRIDGE_HOST_ALIAS)).includes(publicKey))
    await pins.add(BRIDGE_HOST_ALIAS, publicKey);
  return pins.location;
}
