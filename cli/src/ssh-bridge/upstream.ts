import ssh2 from "ssh2";
import { BridgeError } from "./bridge-error.ts";
import type { GatewayCredentials } from "./credentials.ts";
import {
  HostKeyChangedError,
  type KnownHostsStore,
  keyOfBlob,
  knownHostName,
  verifyHostKey,
} from "./known-hosts.ts";

export interface UpstreamOptions {
  knownHosts: KnownHostsStore;
  /** SSH keepalives to the gateway; a gateway silent for three of them is treated as gone. */
  keepaliveMs: number;
  /** How long the gateway's handshake and login may take. */
  readyTimeoutMs: number;
}

/** The message a user sees when the gateway cannot be reached, for each way it fails. */
function explain(err: Error & { level?: string }, where: string): string {
  if (err.level === "client-authentication") {
    return `the workspace's SSH gateway at ${where} refused the credentials (expired or revoked?)`;
  }
  if (err.level === "client-timeout") return `the workspace's SSH gateway at ${where} did not answer in time`;
  return `cannot reach the workspace's SSH gateway at ${where}: ${err.message}`;
}

/** An ssh2 client logged in to the gateway with its host key checked against the pins. */
export function connectUpstream(creds: GatewayCredentials, opts: UpstreamOptions): Promise<ssh2.Client> {
  const hostName = knownHostName(creds.host, creds.port);
  return new Promise((resolve, reject) => {
    const client = new ssh2.Client();
    let refusedKey: Error | null = null;
    const fail = (err: Error & { level?: string }) => {
      client.end();
      reject(refusedKey ?? new BridgeError(explain(err, hostName)));
    };
    client.once("ready", () => {
      client.off("error", fail);
      resolve(client);
    });
    client.on("error", fail);
    client.connect({
      host: creds.host,
      port: creds.port,
      username: creds.username,
      readyTimeout: opts.readyTimeoutMs,
      keepaliveInterval: opts.keepaliveMs,
      keepaliveCountMax: 3,
      hostVerifier: (blob: Buffer, verify: (ok: boolean) => void) => {
        verifyHostKey(opts.knownHosts, hostName, keyOfBlob(blob)).then(
          () => verify(true),
          (e: Error) => {
            refusedKey = e instanceof HostKeyChangedError ? new BridgeError(e.message) : e;
            verify(false);
          },
        );
      },
    });
    // ssh2 leaves Nagle on: every request/answer round trip would then wait out a delayed ACK (~40 ms).
    client.setNoDelay(true);
  });
}
