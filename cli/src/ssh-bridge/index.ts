/**
 * The SSH bridge as a library (what `cw ssh-proxy` is built on). Load it with `import()` after
 * asking for credentials, so the API round trip overlaps loading ssh2, the bulk of startup.
 */
export { runSshBridge, type SshBridgeOptions } from "./bridge.ts";
export { BridgeError } from "./bridge-error.ts";
export type { GatewayCredentials } from "./credentials.ts";
export { type BridgeHostKey, loadOrCreateBridgeHostKey } from "./host-key.ts";
export {
  fileKnownHosts,
  type KnownHostsStore,
  knownHostName,
  knownHostsLine,
  memoryKnownHosts,
} from "./known-hosts.ts";
export { stdioStream, stdoutPipe } from "./stdio-stream.ts";
