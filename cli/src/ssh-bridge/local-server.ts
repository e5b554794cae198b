import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import ssh2, { type CipherAlgorithm, type Connection } from "ssh2";

/**
 * AES-GCM only: OpenSSH would otherwise pick chacha20-poly1305, which is slower than AES-GCM on
 * CPUs with AES instructions even through ssh2's native binding, and which ssh2 computes partly in
 * WebAssembly where the binding is missing (see scripts/build.mjs); AES-GCM always runs in
 * OpenSSL. Every OpenSSH since 6.2 (and Windows' and PuTTY) speaks it.
 */
const LOCAL_CIPHERS: CipherAlgorithm[] = ["aes128-gcm@openssh.com", "aes256-gcm@openssh.com"];

export interface LocalServerOptions {
  hostKey: string;
  /**
   * Settles once the gateway is connected (or cannot be). Logins are answered then; should the
   * gateway fail, the login is where the bridge hangs up: ssh reports that only at `LogLevel INFO`
   * (earlier, during the key exchange, it would add an error line of its own), so the bridge's
   * own one-line reason is all the user reads.
   */
  gatewayReady: Promise<unknown>;
  /** Called when the client first asks to log in: from then on, hanging up at once is quiet. */
  onLogin: () => void;
  /** Called when the client's login is accepted (the gateway is connected). */
  onReady?: () => void;
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
    {
      hostKeys: [opts.hostKey],
      keepaliveInterval: opts.keepaliveMs,
      keepaliveCountMax: 3,
      algorithms: { cipher: LOCAL_CIPHERS },
    },
    (connection) => {
      connection.on("authentication", (ctx) => {
        opts.onLogin();
        opts.gatewayReady.then(
          () => {
            ctx.accept();
            opts.onReady?.();
          },
          () => stream.end(),
        );
      });
      onConnection(connection);
    },
  );
  server.injectSocket(stream as unknown as Socket);
}
