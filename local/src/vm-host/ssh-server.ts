import ssh2, { type Connection } from "ssh2";
import type { IdentityStore } from "./identities.ts";
import { listen } from "./listen.ts";
import { authenticate, type Login } from "./ssh-auth.ts";
import { forwardToLoopback } from "./ssh-forward.ts";
import { serveSession } from "./ssh-session.ts";
import type { VmRegistry } from "./vm-registry.ts";

export interface SshServerOptions {
  host: string;
  port: number;
  hostKey: string;
  vms: VmRegistry;
  identities: IdentityStore;
  log: (line: string) => void;
}

export interface RunningSshServer {
  port: number;
  /**
   * Hangs up every connection whose login no longer holds: its token revoked, its identity
   * deleted, its VM permission revoked or narrowed. Called after every change to identities.
   */
  endRevoked(): void;
  close(): Promise<void>;
}

/**
 * The VM's SSH endpoint as Freestyle's gateway presents it (auth in `ssh-auth.ts`), serving what
 * the VM's own sshd would: sessions (`ssh-session.ts`) and `direct-tcpip` (`ssh-forward.ts`).
 */
export async function startSshServer(opts: SshServerOptions): Promise<RunningSshServer> {
  const { vms, identities, log } = opts;
  const connections = new Set<Connection>();
  /** Logged-in connections and the login and token each was accepted with. */
  const logins = new Map<Connection, { login: Login; token: string }>();

  function serve(client: Connection, login: Login): void {
    const { vmId } = login;
    log(`ssh: ${login.linuxUser ?? "root"}@${vmId} logged in`);
    const closable = { end: () => client.end() };
    vms.addConnection(vmId, closable);
    client.on("close", () => vms.removeConnection(vmId, closable));
    vms.touch(vmId);
    client.on("session", (accept) => serveSession(accept(), login, vms, log));
    client.on("tcpip", (accept, reject, info) => forwardToLoopback(accept, reject, info, vmId, vms, log));
  }

  const server = new ssh2.Server({ hostKeys: [opts.hostKey] }, (client) => {
    connections.add(client);
    // As sshd does: without it each pair of small writes (exit status, then close) waits out the
    // client's delayed ACK, ~40 ms. (ssh2 has the method; its types miss it.)
    (client as Connection & { setNoDelay(on: boolean): void }).setNoDelay(true);
    client.on("close", () => {
      connections.delete(client);
      logins.delete(client);
    });
    let login: Login | null = null;
    // Without a handler, a client aborting the handshake would crash the whole host.
    client.on("error", (e: Error) => log(`ssh: connection error: ${e.message}`));
    client.on("authentication", (ctx) =>
      authenticate(opts, ctx, (l, token) => {
        login = l;
        logins.set(client, { login: l, token });
      }),
    );
    client.on("ready", () => (login ? serve(client, login) : client.end()));
  });

  const port = await listen(server, opts.port, opts.host);

  return {
    port,
    endRevoked() {
      for (const [client, { login, token }] of logins) {
        if (identities.mayAccessVm(token, login.vmId, login.linuxUser)) continue;
        log(`ssh: access of ${login.linuxUser ?? "root"}@${login.vmId} revoked, hanging up`);
        logins.delete(client);
        client.end();
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of connections) c.end();
        server.close(() => resolve());
      }),
  };
}
