import type { ServerChannel, Session } from "ssh2";
import { findSftpServer } from "./sftp-server.ts";
import type { Login } from "./ssh-auth.ts";
import { type ChannelProcess, runOnPty, runPiped } from "./ssh-channel-process.ts";
import type { VmRegistry } from "./vm-registry.ts";
import type { PtyOptions } from "./vm-spawn.ts";

const DEFAULT_TERM = "xterm-256color";

/**
 * One session channel, as sshd serves it: `pty-req` and `env` set up what comes next; then one of
 * `shell` (a login shell), `exec` (a command through the shell) or `subsystem` (`sftp`); after
 * that `window-change` and `signal` reach the running process.
 */
export function serveSession(
  session: Session,
  login: Login,
  vms: VmRegistry,
  log: (line: string) => void,
): void {
  const { vmId } = login;
  const linuxUser = login.linuxUser ?? "root";
  const env: Record<string, string> = {};
  let pty: PtyOptions | null = null;
  let running: ChannelProcess | null = null;

  function start(stream: ServerChannel, what: string, run: () => ChannelProcess): void {
    stream.on("error", (e: Error) => log(`ssh: vm ${vmId} ${what} channel error: ${e.message}`));
    vms.touch(vmId);
    running = run();
  }
  const context = () => vms.processContext(vmId, linuxUser, env);

  session.on("pty", (accept, _reject, info) => {
    pty = { term: info.term || DEFAULT_TERM, cols: info.cols || 80, rows: info.rows || 24 };
    accept?.();
  });
  session.on("window-change", (accept, _reject, info) => {
    if (pty) {
      pty.cols = info.cols;
      pty.rows = info.rows;
    }
    running?.resize(info.cols, info.rows);
    accept?.();
  });
  session.on("env", (accept, _reject, info) => {
    env[info.key] = info.val;
    accept?.();
  });
  session.on("signal", (accept, _reject, info) => {
    running?.signal(info.name);
    accept?.();
  });
  session.on("shell", (accept) => {
    const stream = accept();
    const opts = pty;
    start(stream, "shell", () =>
      opts
        ? runOnPty(vms, vmId, context(), stream, ["-l"], opts)
        : runPiped(vms, vmId, context(), stream, "exec bash -l"),
    );
  });
  session.on("exec", (accept, _reject, info) => {
    const stream = accept();
    const opts = pty;
    start(stream, "exec", () =>
      opts
        ? runOnPty(vms, vmId, context(), stream, ["-c", info.command], opts)
        : runPiped(vms, vmId, context(), stream, info.command),
    );
  });
  // Without an `sftp` listener ssh2 hands the subsystem over raw, which is what piping it to
  // OpenSSH's own sftp-server wants (scp uses SFTP too since OpenSSH 9).
  session.on("subsystem", (accept, reject, info) => {
    const server = info.name === "sftp" ? findSftpServer() : { problem: "not served" };
    if ("problem" in server) {
      log(`ssh: vm ${vmId} refused subsystem ${info.name}: ${server.problem}`);
      reject?.();
      return;
    }
    const stream = accept();
    start(stream, "sftp", () => runPiped(vms, vmId, context(), stream, `exec ${shellWord(server.path)}`));
  });
}

/** One word for `sh -c`, whatever the path holds. */
const shellWord = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;
