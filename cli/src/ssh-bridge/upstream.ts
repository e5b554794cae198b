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

/** ssh2 takes `false` for "no method left to try"; its types lack it. */
const NO_MORE = false as unknown as ssh2.AnyAuthMethod;

/** The gateway's key is not the pinned one: never retried. */
class HostKeyRefused extends BridgeError {}

/** Where a gateway listens. */
export type GatewayAddress = Pick<GatewayCredentials, "host" | "port">;

/**
 * An ssh2 client logged in to the gateway at `address` with its host key checked against the
 * pins. The login's user name (which carries the token) may come later than the connection:
 * TCP, key exchange and host key check go ahead meanwhile, and the login is sent when `username`
 * settles (a rejection ends the attempt with that error).
 */
export function connectUpstream(
  address: GatewayAddress,
  username: string | Promise<string>,
  opts: UpstreamOptions,
): Promise<ssh2.Client> {
  const hostName = knownHostName(address.host, address.port);
  const user = Promise.resolve(username);
  // Read only once the gateway asks for a login, which a failed connection never does.
  user.catch(() => {});
  return new Promise((resolve, reject) => {
    const client = new ssh2.Client();
    let refusedKey: Error | null = null;
    let noUser: Error | null = null;
    const fail = (err: Error & { level?: string }) => {
      client.end();
      reject(noUser ?? refusedKey ?? new BridgeError(explain(err, hostName)));
    };
    client.once("ready", () => {
      client.off("error", fail);
      resolve(client);
    });
    client.on("error", fail);
    let asked = false;
    client.connect({
      host: address.host,
      port: address.port,
      // Required by ssh2's options; the login below names the real one.
      username: "cw",
      // The gateway takes the token in the user name with "none" auth; there is nothing else to try.
      authHandler: (_methods, _partial, next) => {
        if (asked) return next(NO_MORE);
        asked = true;
        user.then(
          (user) => next({ type: "none", username: user }),
          (e: Error) => {
            noUser = e;
            next(NO_MORE);
          },
        );
      },
      readyTimeout: opts.readyTimeoutMs,
      keepaliveInterval: opts.keepaliveMs,
      keepaliveCountMax: 3,
      hostVerifier: (blob: Buffer, verify: (ok: boolean) => void) => {
        verifyHostKey(opts.knownHosts, hostName, keyOfBlob(blob)).then(
          () => verify(true),
          (e: Error) => {
            refusedKey = e instanceof HostKeyChangedError ? new HostKeyRefused(e.message) : e;
            verify(false);
          },
        );
      },
    });
    // ssh2 leaves Nagle on: every request/answer round trip would then wait out a delayed ACK (~40 ms).
    client.setNoDelay(true);
  });
}

const sameAddress = (a: GatewayAddress, b: GatewayAddress) => a.host === b.host && a.port === b.port;

/**
 * The gateway connection for credentials still on their way. With a guess of the gateway's
 * address (where the last connection to this workspace went), the connection and key exchange
 * start at once and the login follows the credentials, so the handshake is off the critical path.
 * A wrong guess, or a connection the gateway dropped while the credentials took their time
 * (a resume), falls back to connecting once the credentials are here; without a guess that is
 * the only way.
 */
export function connectGateway(
  credentials: Promise<GatewayCredentials>,
  guess: GatewayAddress | undefined,
  opts: UpstreamOptions,
): Promise<ssh2.Client> {
  const afterCredentials = () => credentials.then((c) => connectUpstream(c, c.username, opts));
  if (!guess) return afterCredentials();
  const wrongGuess = new Error("the credentials name another gateway");
  const early = connectUpstream(
    guess,
    credentials.then((c) => (sameAddress(c, guess) ? c.username : Promise.reject(wrongGuess))),
    opts,
  );
  return early.catch(async (e) => {
    // Credentials that failed are the failure to report, whatever the early attempt saw.
    await credentials;
    // A changed host key is a refusal, not something a second attempt should get past.
    if (e instanceof HostKeyRefused) throw e;
    return afterCredentials();
  });
}
