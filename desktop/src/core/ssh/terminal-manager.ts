import { randomUUID } from "node:crypto";
import ssh2, { type ClientChannel } from "ssh2";
import {
  fingerprintOf,
  HostKeyMismatchError,
  type HostKeyStore,
  hostIdOf,
  verifyHostKey,
} from "./host-keys.ts";
import { type BatcherOptions, OutputBatcher } from "./output-batcher.ts";

/**
 * Interactive SSH shells with a PTY, one ssh2 connection each, for the terminal windows. Output is
 * decoded and batched (`OutputBatcher`) before it is handed to `onData`, which main forwards over
 * IPC. Authentication is the Freestyle gateway's: "none" with the token inside the username.
 */
export interface TerminalTarget {
  host: string;
  port: number;
  username: string;
  /** The VM behind `host:port` (`provider:vmId`): its host key is pinned too. */
  vm?: string;
  cols: number;
  rows: number;
  term?: string;
}

export interface TerminalExit {
  code: number | null;
  signal: string | null;
  /** Set when the session ended abnormally (connection lost, refused, host key changed). */
  error: string | null;
}

export interface TerminalManagerDeps {
  hostKeys: HostKeyStore;
  onData(terminalId: string, text: string): void;
  onExit(terminalId: string, exit: TerminalExit): void;
  batch?: BatcherOptions;
  readyTimeoutMs?: number;
}

interface Live {
  conn: ssh2.Client;
  stream: ClientChannel;
  batcher: OutputBatcher;
  exit: TerminalExit;
  done: boolean;
}

export type TerminalManager = ReturnType<typeof createTerminalManager>;

export function createTerminalManager(deps: TerminalManagerDeps) {
  const live = new Map<string, Live>();

  function finish(id: string, t: Live): void {
    if (t.done) return;
    t.done = true;
    t.batcher.end();
    live.delete(id);
    t.conn.end();
    deps.onExit(id, t.exit);
  }

  /** Connects, verifies the host key, opens a shell; resolves with the terminal's id once it is open. */
  function open(target: TerminalTarget): Promise<string> {
    const id = randomUUID();
    const hostId = hostIdOf(target.host, target.port);
    const conn = new ssh2.Client();
    let hostKeyError: Error | null = null;

    return new Promise<string>((resolve, reject) => {
      let opened = false;
      const fail = (err: Error) => {
        if (opened) return;
        opened = true;
        conn.end();
        reject(err);
      };
      conn.on("error", (err: Error & { level?: string }) => {
        if (!opened) {
          fail(hostKeyError ?? describeConnectError(err, hostId));
          return;
        }
        const t = live.get(id);
        if (t && !t.exit.error) t.exit.error = `Connection to ${hostId} lost: ${err.message}`;
      });
      conn.on("close", () => {
        if (!opened) {
          fail(hostKeyError ?? new Error(`Connection to ${hostId} closed before the shell opened`));
          return;
        }
        const t = live.get(id);
        if (!t) return;
        if (!t.exit.error && t.exit.code === null && t.exit.signal === null)
          t.exit.error = `Connection to ${hostId} closed`;
        finish(id, t);
      });
      conn.on("ready", () => {
        conn.shell(
          {
            term: target.term ?? "xterm-256color",
            cols: target.cols,
            rows: target.rows,
            width: 0,
            height: 0,
          },
          (err, stream) => {
            if (err) return fail(new Error(`The SSH server refused a shell: ${err.message}`));
            const t: Live = {
              conn,
              stream,
              batcher: new OutputBatcher((text) => deps.onData(id, text), deps.batch),
              exit: { code: null, signal: null, error: null },
              done: false,
            };
            live.set(id, t);
            // A PTY merges stderr into stdout; anything on stderr still belongs on screen.
            stream.on("data", (d: Buffer) => t.batcher.push(d));
            stream.stderr.on("data", (d: Buffer) => t.batcher.push(d));
            stream.on("exit", (code: number | null, signal?: string) => {
              t.exit.code = typeof code === "number" ? code : null;
              t.exit.signal = signal ?? null;
            });
            stream.on("close", () => finish(id, t));
            opened = true;
            resolve(id);
          },
        );
      });
      conn.connect({
        host: target.host,
        port: target.port,
        username: target.username,
        readyTimeout: deps.readyTimeoutMs ?? 20_000,
        keepaliveInterval: 15_000,
        keepaliveCountMax: 4,
        hostVerifier: (key: Buffer, verify: (ok: boolean) => void) => {
          const offer = { host: hostId, vm: target.vm, fingerprint: fingerprintOf(key) };
          verifyHostKey(deps.hostKeys, offer).then(
            () => verify(true),
            (err: Error) => {
              hostKeyError = err;
              verify(false);
            },
          );
        },
      });
    });
  }

  function get(id: string): Live {
    const t = live.get(id);
    if (!t) throw new Error("This terminal session has ended");
    return t;
  }

  return {
    open,
    write(id: string, data: string | Uint8Array): void {
      get(id).stream.write(data);
    },
    resize(id: string, cols: number, rows: number): void {
      // ssh2 takes rows first; pixel sizes unknown.
      get(id).stream.setWindow(rows, cols, 0, 0);
    },
    /** Ends the session: the shell gets a hangup, the exit event follows. */
    close(id: string): void {
      const t = live.get(id);
      if (!t) return;
      t.stream.close();
      t.conn.end();
    },
    closeAll(): void {
      for (const id of [...live.keys()]) this.close(id);
    },
    has: (id: string) => live.has(id),
    get size() {
      return live.size;
    },
  };
}

function describeConnectError(err: Error & { level?: string }, hostId: string): Error {
  if (err instanceof HostKeyMismatchError) return err;
  if (err.level === "client-authentication")
    return new Error(
      `The SSH server at ${hostId} refused the credentials (they may have expired; try again)`,
    );
  if (err.level === "client-timeout") return new Error(`Timed out connecting to ${hostId}`);
  return new Error(`Cannot connect to ${hostId}: ${err.message}`);
}
