import type { Client, ClientChannel, PseudoTtyInfo, ServerChannel, Session } from "ssh2";
import { relayChannel } from "./channel-relay.ts";

type Start = (gateway: Client, done: (err: Error | undefined, channel: ClientChannel) => void) => void;

interface TerminalSize {
  rows: number;
  cols: number;
  height: number;
  width: number;
}

/**
 * A session channel of the local client, replayed on the gateway. `pty-req` and `env` are
 * answered at once and sent with the request that starts the session (`shell`, `exec` or
 * `subsystem`, which ssh2's client opens together with its channel). Afterwards `window-change`
 * and `signal` go straight through.
 */
export function relaySession(session: Session, gateway: () => Promise<Client>): void {
  let pty: PseudoTtyInfo | null = null;
  const env: Record<string, string> = {};
  let remote: ClientChannel | null = null;
  /** A resize that arrived while the gateway's channel was opening, sent once it is open. */
  let pendingResize: TerminalSize | null = null;

  session.on("pty", (accept, _reject, info) => {
    pty = info;
    accept?.();
  });
  session.on("env", (accept, _reject, info) => {
    env[info.key] = info.val;
    accept?.();
  });
  session.on("window-change", (accept, _reject, info) => {
    if (remote) remote.setWindow(info.rows, info.cols, info.height, info.width);
    else pendingResize = info;
    accept?.();
  });
  session.on("signal", (accept, _reject, info) => {
    try {
      remote?.signal(info.name);
    } catch {
      // ssh2 refuses names outside RFC 4254's list, as sshd ignores them.
    }
    accept?.();
  });

  /**
   * The client's request is accepted at once and then made on the gateway: ssh2's server drops
   * an answer that comes after the client's EOF, which `ssh host cmd </dev/null` sends right
   * behind the request. Should the gateway refuse it, the client reads why on stderr.
   */
  function start(what: string, accept: () => ServerChannel, open: Start): void {
    const local = accept();
    let localClosed = false;
    local.once("close", () => (localClosed = true));
    gateway().then(
      (client) =>
        open(client, (err, channel) => {
          if (err) {
            local.stderr.write(`cw: the workspace refused the ${what} request: ${err.message}\n`);
            local.end();
            return;
          }
          if (localClosed) return channel.close();
          remote = channel;
          if (pendingResize) {
            const r = pendingResize;
            channel.setWindow(r.rows, r.cols, r.height, r.width);
          }
          relayChannel(local, channel, "session");
        }),
      // The bridge closes the whole connection and says why.
      () => {},
    );
  }

  session.on("shell", (accept) =>
    start("shell", accept, (client, done) => client.shell(pty ?? false, { env }, done)),
  );
  session.on("exec", (accept, _reject, info) =>
    start("exec", accept, (client, done) => client.exec(info.command, { pty: pty ?? undefined, env }, done)),
  );
  // No `sftp` listener, so ssh2 passes the subsystem through as a raw channel (see the facts sheet).
  session.on("subsystem", (accept, _reject, info) =>
    start(`${info.name} subsystem`, accept, (client, done) => client.subsys(info.name, done)),
  );
}
