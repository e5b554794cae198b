import type { ClientChannel, ServerChannel } from "ssh2";

const BARRIER = Buffer.alloc(0);

/**
 * Runs channel-level messages in order behind the data already written to the local channel: a
 * zero-length write completes only after everything queued before it went out (SSH window
 * permitting), so an exit status or close never overtakes output.
 */
function inOrder(local: ServerChannel) {
  let queue = Promise.resolve();
  const flushed = (w: NodeJS.WritableStream & { writable: boolean }) =>
    new Promise<void>((resolve) => (w.writable ? w.write(BARRIER, () => resolve()) : resolve()));
  return (op: () => void) => {
    queue = queue
      .then(() => Promise.all([flushed(local), flushed(local.stderr)]))
      .then(op)
      // Only a channel the client already closed refuses these; nothing is left to tell it.
      .catch(() => {});
  };
}

/** ssh2 refuses signal names outside RFC 4254's list; ssh exits 255 on any exit-signal, so say 255. */
function exitSignal(local: ServerChannel, name: string, coreDumped: boolean, description: string): void {
  try {
    local.exit(name, coreDumped, description);
  } catch {
    local.exit(255);
  }
}

const ended = (stream: NodeJS.ReadableStream & { readableEnded: boolean }) =>
  new Promise<void>((resolve) => (stream.readableEnded ? resolve() : stream.once("end", () => resolve())));

/**
 * Joins a channel the local client opened (`local`, served by the bridge) with the matching one on
 * the gateway (`remote`): data both ways with SSH flow control (pipe), the gateway's stderr, the
 * client's EOF as EOF, and the gateway's exit-status / exit-signal and close, in order.
 *
 * ssh2's server channel cannot send an exit status after its EOF, so for sessions the gateway's EOF
 * travels with the close (after the exit status); a TCP forward has no exit status and passes a
 * half-close on at once.
 */
export function relayChannel(local: ServerChannel, remote: ClientChannel, kind: "session" | "tcpip"): void {
  const after = inOrder(local);
  local.pipe(remote);
  remote.pipe(local, { end: false });
  remote.stderr.pipe(local.stderr, { end: false });

  if (kind === "tcpip") remote.once("end", () => after(() => local.eof()));
  remote.on("exit", (code: number | null, signal?: string, coreDumped?: boolean, description?: string) =>
    after(() => {
      if (signal) exitSignal(local, signal.replace(/^SIG/, ""), coreDumped ?? false, description ?? "");
      else if (code !== null) local.exit(code);
    }),
  );
  remote.once("close", () => {
    void Promise.all([ended(remote), ended(remote.stderr)]).then(() =>
      after(() => {
        if (!local.writableEnded) local.end();
      }),
    );
  });
  local.once("close", () => remote.close());
  // A channel error (e.g. the connection dropped) ends both halves; the connection reports why.
  remote.on("error", () => local.close());
  local.on("error", () => remote.close());
}
