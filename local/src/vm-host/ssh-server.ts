import ssh2, { type AuthContext, type Connection, type ServerChannel, type Session } from "ssh2";
import type { IdentityStore } from "./identities.ts";
import { VM_ID_PATTERN } from "./ids.ts";
import { listen } from "./listen.ts";
import type { VmRegistry } from "./vm-registry.ts";
import { exitStatus, type PtyOptions } from "./vm-spawn.ts";

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

interface Login {
  vmId: string;
  linuxUser: string | null;
  token: string | null;
}

/**
 * Freestyle's gateway usernames: `<vmId>:<token>` or `<vmId>+<linuxUser>:<token>`; without the
 * `:<token>` part the token is expected as the password.
 */
export function parseSshUsername(username: string): Login | null {
  const colon = username.indexOf(":");
  const who = colon === -1 ? username : username.slice(0, colon);
  const token = colon === -1 ? null : username.slice(colon + 1) || null;
  const plus = who.indexOf("+");
  const vmId = plus === -1 ? who : who.slice(0, plus);
  const linuxUser = plus === -1 ? null : who.slice(plus + 1) || null;
  if (!VM_ID_PATTERN.test(vmId)) return null;
  return { vmId, linuxUser, token };
}

const DEFAULT_TERM = "xterm-256color";
/** Let node-pty deliver the last output before we report the exit (it can signal exit first). */
const PTY_EXIT_FLUSH_MS = 30;

export async function startSshServer(opts: SshServerOptions): Promise<RunningSshServer> {
  const { vms, identities, log } = opts;
  const connections = new Set<Connection>();
  /** Logged-in connections and the login and token each was accepted with. */
  const sessions = new Map<Connection, { login: Login; token: string }>();

  async function authorize(login: Login, token: string): Promise<boolean> {
    if (!vms.has(login.vmId) || vms.isStopped(login.vmId)) return false;
    if (!identities.mayAccessVm(token, login.vmId, login.linuxUser)) return false;
    // SSH to a suspended VM wakes it, as on Freestyle.
    await vms.ensureRunning(login.vmId);
    return true;
  }

  function handleAuth(ctx: AuthContext, onAccepted: (login: Login, token: string) => void): void {
    let login: Login | null;
    let token: string | null;
    if (ctx.method === "none") {
      login = parseSshUsername(ctx.username);
      token = login?.token ?? null;
      // No token in the username: tell the client to send it as a password (what `ssh` then prompts for).
      if (!login || !token) {
        ctx.reject(["password"]);
        return;
      }
    } else if (ctx.method === "password") {
      login = parseSshUsername(ctx.username);
      token = login?.token ?? ctx.password;
      if (!login) {
        ctx.reject(["password"]);
        return;
      }
    } else {
      ctx.reject(["none", "password"]);
      return;
    }
    const accepted = login;
    authorize(accepted, token)
      .then((ok) => {
        if (!ok) {
          log(`ssh: refused ${ctx.method} login to vm ${accepted.vmId}`);
          ctx.reject(["password"]);
          return;
        }
        onAccepted(accepted, token);
        ctx.accept();
      })
      .catch((e) => {
        log(`ssh: login to vm ${accepted.vmId} failed: ${e}`);
        ctx.reject(["password"]);
      });
  }

  function handleSession(session: Session, login: Login): void {
    const { vmId } = login;
    const linuxUser = login.linuxUser ?? "root";
    const env: Record<string, string> = {};
    let pty: PtyOptions | null = null;
    let resize: ((cols: number, rows: number) => void) | null = null;

    function runPty(stream: ServerChannel, args: string[], ptyOpts: PtyOptions): void {
      let closed = false;
      const p = vms.spawnPty(vmId, vms.processContext(vmId, linuxUser, env), args, ptyOpts);
      resize = (cols, rows) => p.resize(Math.max(1, cols), Math.max(1, rows));
      p.onData((d) => {
        vms.touch(vmId);
        if (!closed) stream.write(d);
      });
      stream.on("data", (d: Buffer) => {
        vms.touch(vmId);
        p.write(d);
      });
      p.onExit(({ exitCode, signal }) => {
        setTimeout(() => {
          if (closed) return;
          stream.exit(signal ? 128 + signal : exitCode);
          stream.end();
        }, PTY_EXIT_FLUSH_MS);
      });
      stream.on("close", () => {
        closed = true;
        void vms.endSession(vmId, p.pid);
      });
    }

    function runPlain(stream: ServerChannel, command: string): void {
      let closed = false;
      const child = vms.spawnCommand(vmId, vms.processContext(vmId, linuxUser, env), command, true);
      child.stdout?.on("data", (d: Buffer) => {
        vms.touch(vmId);
        if (!closed) stream.write(d);
      });
      child.stderr?.on("data", (d: Buffer) => {
        vms.touch(vmId);
        if (!closed) stream.stderr.write(d);
      });
      child.stdin?.on("error", () => {
        // The command may exit without reading its input; that is not our error.
      });
      stream.on("data", (d: Buffer) => {
        vms.touch(vmId);
        child.stdin?.write(d);
      });
      stream.on("end", () => child.stdin?.end());
      child.on("error", (e) => {
        if (closed) return;
        stream.stderr.write(`${e.message}\n`);
        stream.exit(127);
        stream.end();
      });
      // `close` (not `exit`) so all output is forwarded first, like sshd waiting for EOF on the pipes.
      child.on("close", (code, signal) => {
        if (closed) return;
        stream.exit(exitStatus(code, signal) ?? 255);
        stream.end();
      });
      stream.on("close", () => {
        closed = true;
        if (child.pid !== undefined) void vms.endSession(vmId, child.pid);
      });
    }

    session.on("pty", (accept, _reject, info) => {
      pty = { term: info.term || DEFAULT_TERM, cols: info.cols || 80, rows: info.rows || 24 };
      accept?.();
    });
    session.on("window-change", (accept, _reject, info) => {
      if (pty) {
        pty.cols = info.cols;
        pty.rows = info.rows;
      }
      resize?.(info.cols, info.rows);
      accept?.();
    });
    session.on("env", (accept, _reject, info) => {
      env[info.key] = info.val;
      accept?.();
    });
    session.on("shell", (accept) => {
      const stream = accept();
      stream.on("error", (e: Error) => log(`ssh: vm ${vmId} shell channel error: ${e.message}`));
      if (pty) runPty(stream, ["-l"], pty);
      else runPlain(stream, "exec bash -l");
    });
    session.on("exec", (accept, _reject, info) => {
      const stream = accept();
      stream.on("error", (e: Error) => log(`ssh: vm ${vmId} exec channel error: ${e.message}`));
      vms.touch(vmId);
      if (pty) runPty(stream, ["-c", info.command], pty);
      else runPlain(stream, info.command);
    });
  }

  const server = new ssh2.Server({ hostKeys: [opts.hostKey] }, (client) => {
    connections.add(client);
    let login: Login | null = null;
    const closable = { end: () => client.end() };
    // Without a handler, a client aborting the handshake would crash the whole host.
    client.on("error", (e: Error) => log(`ssh: connection error: ${e.message}`));
    client.on("authentication", (ctx) =>
      handleAuth(ctx, (l, token) => {
        login = l;
        sessions.set(client, { login: l, token });
      }),
    );
    client.on("ready", () => {
      if (!login) return client.end();
      const { vmId } = login;
      log(`ssh: ${login.linuxUser ?? "root"}@${vmId} logged in`);
      vms.addConnection(vmId, closable);
      vms.touch(vmId);
      client.on("session", (accept) => {
        if (!login) return;
        handleSession(accept(), login);
      });
    });
    client.on("close", () => {
      connections.delete(client);
      sessions.delete(client);
      if (login) vms.removeConnection(login.vmId, closable);
    });
  });

  const port = await listen(server, opts.port, opts.host);

  return {
    port,
    endRevoked() {
      for (const [client, { login, token }] of sessions) {
        if (identities.mayAccessVm(token, login.vmId, login.linuxUser)) continue;
        log(`ssh: access of ${login.linuxUser ?? "root"}@${login.vmId} revoked, hanging up`);
        sessions.delete(client);
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
