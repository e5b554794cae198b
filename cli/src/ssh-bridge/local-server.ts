import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import ssh2, { type Connection } from "ssh2";

export interface LocalServerOptions {
  hostKey: string;
  /**
   * Settles once the gateway is connected (or cannot be). Logins are answered then: should the
   * gateway fail, the bridge hangs up mid-login, which ssh reports only as `LogLevel INFO`, so the
   * bridge's own one-line reason is all the user reads.
   */
  gatewayReady: Promise<unknown>;
  /** SSH keepalives to the local client; one that stops answering three of them is dropped. */
  keepaliveMs: number;
}

/**
 * The SSH server the local client talks to, over the ProxyCommand's stdin/stdout (any duplex):
 * ssh2 runs its server protocol on an injected stream as on a TCP socket. Every login is
 * accepted: only the process that started the bridge holds the other end of the pipe, and the
 * gateway checks the real credentials.
 */
export function serveLocalClient(
  stream: Duplex,
  opts: LocalServerOptions,
  onConnection: (connection: Connection) => void,
): void {
  // ssh2 reads these like a socket's; a pipe has none.
  if (!("remoteAddress" in stream)) Object.assign(stream, { remoteAddress: "127.0.0.1", remotePort: 0 });
  // ssh2 announces the connection once the client's version line arrived, not before.
  const server = new ssh2.Server(
    { hostKeys: [opts.hostKey], keepaliveInterval: opts.keepaliveMs, keepaliveCountMax: 3 },
    (connection) => {
      connection.on("authentication", (ctx) =>
        opts.gatewayReady.then(
          () => ctx.accept(),
          () => {},
        ),
      );
      onConnection(connection);
    },
  );
  server.injectSocket(stream as unknown as Socket);
}
