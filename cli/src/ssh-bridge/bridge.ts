import type { Duplex } from "node:stream";
import type { AcceptConnection, Client, RejectConnection, ServerChannel, TcpipRequestInfo } from "ssh2";
import { BridgeError } from "./bridge-error.ts";
import { relayChannel } from "./channel-relay.ts";
import type { GatewayCredentials } from "./credentials.ts";
import type { KnownHostsStore } from "./known-hosts.ts";
import { serveLocalClient } from "./local-server.ts";
import { relaySession } from "./session-relay.ts";
import { connectUpstream } from "./upstream.ts";

export interface SshBridgeOptions {
  /** The local client's end of the connection: the ProxyCommand's stdin and stdout (`stdioStream`). */
  local: Duplex;
  /** The bridge's own host key (`loadOrCreateBridgeHostKey`), which the local client pins. */
  hostKey: string;
  /**
   * Fresh credentials for the workspace's gateway, asked for once as the bridge starts. This is
   * where the CLI resumes a paused workspace first; a BridgeError's message reaches the user as is.
   */
  credentials: () => Promise<GatewayCredentials>;
  /** Where the gateway's host key is pinned. */
  knownHosts: KnownHostsStore;
  /** Keepalives both ways (default 15 s; three missed end the connection). */
  keepaliveMs?: number;
  /** Handshake and login with the gateway (default 30 s). */
  readyTimeoutMs?: number;
  /**
   * Where a failure is said, in one line, before the local connection is closed: the ProxyCommand's
   * stderr, which ssh shows. It must come first, as ssh hangs up on its ProxyCommand once the
   * connection drops.
   */
  say: (line: string) => void;
}

const DEFAULT_KEEPALIVE_MS = 15_000;
const DEFAULT_READY_TIMEOUT_MS = 30_000;

function relayForward(
  accept: AcceptConnection<ServerChannel>,
  reject: RejectConnection,
  info: TcpipRequestInfo,
  gateway: Promise<Client>,
): void {
  gateway.then(
    (client) =>
      client.forwardOut(info.srcIP, info.srcPort, info.destIP, info.destPort, (err, remote) => {
        if (err) return reject();
        const local = accept() as ServerChannel | undefined;
        if (!local) return remote.close();
        relayChannel(local, remote, "tcpip");
      }),
    () => reject(),
  );
}

/**
 * Serves one SSH connection from the local client (`ssh` with this as its ProxyCommand) and opens
 * every channel it asks for on an ssh2 connection to the workspace's gateway: sessions
 * (`session-relay.ts`) and `direct-tcpip` forwards. Resolves when the local connection ends.
 * When the gateway cannot be reached or drops, says why (`say`), closes the local connection and
 * rejects with that error.
 *
 * The gateway connection starts at once, beside the local handshake, so a connect costs the
 * slower of the two rather than their sum; the local login completes once the gateway is ready.
 * Wrap the call to hold anything for the connection's lifetime (a presence session, say).
 */
export function runSshBridge(opts: SshBridgeOptions): Promise<void> {
  const keepaliveMs = opts.keepaliveMs ?? DEFAULT_KEEPALIVE_MS;
  const gateway = opts.credentials().then((creds) =>
    connectUpstream(creds, {
      knownHosts: opts.knownHosts,
      keepaliveMs,
      readyTimeoutMs: opts.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS,
    }),
  );

  return new Promise((resolve, reject) => {
    let failure: BridgeError | null = null;
    let finished = false;
    let loggingIn = false;
    const fail = (err: Error) => {
      // After the local client left, the gateway closing is the bridge's own doing.
      if (failure || finished) return;
      failure = err instanceof BridgeError ? err : new BridgeError(`ssh bridge failed: ${err.message}`);
      opts.say(failure.message);
      // Hang up without an SSH disconnect, which ssh would print a line of its own about; before
      // the client's login the login answer hangs up instead (local-server.ts).
      if (loggingIn) opts.local.end();
    };
    // The stream closes when either side is done (see stdio-stream.ts): that ends the bridge.
    opts.local.once("close", () => {
      finished = true;
      gateway.then(
        (client) => client.end(),
        () => {},
      );
      if (failure) reject(failure);
      else resolve();
    });
    serveLocalClient(
      opts.local,
      {
        hostKey: opts.hostKey,
        keepaliveMs,
        gatewayReady: gateway,
        onLogin: () => {
          loggingIn = true;
        },
      },
      (connection) => {
        // The local client vanishing shows up as the stream's close, which ends the bridge either way.
        connection.on("error", () => {});
        connection.on("session", (accept) => relaySession(accept(), () => gateway));
        connection.on("tcpip", (accept, rejectForward, info) =>
          relayForward(accept, rejectForward, info, gateway),
        );
      },
    );
    gateway.then((client: Client) => {
      client.on("error", (e: Error) =>
        fail(new BridgeError(`lost the connection to the workspace: ${e.message}`)),
      );
      client.once("close", () => fail(new BridgeError("the workspace closed the SSH connection")));
    }, fail);
  });
}
