import { constants as osConstants } from "node:os";
import type { ServerChannel } from "ssh2";
import type { VmRegistry } from "./vm-registry.ts";
import type { PtyOptions, VmProcessContext } from "./vm-spawn.ts";

/** What a session can still do to the process it started. */
export interface ChannelProcess {
  /** An SSH `signal` request; sshd sends it to the process group (killpg), and so do we. */
  signal(sshName: string): void;
  resize(cols: number, rows: number): void;
}

/** The signal names RFC 4254 defines for `signal` and `exit-signal` (no `SIG` prefix). */
const SSH_SIGNALS = new Set([
  "ABRT",
  "ALRM",
  "FPE",
  "HUP",
  "ILL",
  "INT",
  "KILL",
  "PIPE",
  "QUIT",
  "SEGV",
  "TERM",
  "USR1",
  "USR2",
]);

function signalGroup(pid: number | undefined, sshName: string): void {
  if (pid === undefined || !SSH_SIGNALS.has(sshName)) return;
  try {
    // Every VM process is a session leader, so its pid is also its process group id.
    process.kill(-pid, `SIG${sshName}` as NodeJS.Signals);
  } catch {
    // Already gone: nothing to signal, as with sshd.
  }
}

/** Let node-pty deliver the last output before we report the exit (it can signal exit first). */
const PTY_EXIT_FLUSH_MS = 30;

/** Signal numbers of this platform by their SSH names. */
const SSH_SIGNAL_BY_NUMBER = new Map(
  [...SSH_SIGNALS].map((name) => [osConstants.signals[`SIG${name}` as NodeJS.Signals], name] as const),
);

/**
 * Reports how the process ended, then EOF and close: `exit-signal` when a signal killed it (as
 * sshd does; ssh then says so and exits 255), else `exit-status`. A signal SSH has no name for
 * becomes the shell's 128 + number.
 */
function reportExit(stream: ServerChannel, code: number | null, signal: number | null): void {
  const name = signal ? SSH_SIGNAL_BY_NUMBER.get(signal) : undefined;
  if (name) stream.exit(name, false, "");
  else stream.exit(signal ? 128 + signal : (code ?? 255));
  stream.end();
}

/** A process on a PTY (`ssh -t`): one stream carries both directions, resizes reach the PTY. */
export function runOnPty(
  vms: VmRegistry,
  vmId: string,
  ctx: VmProcessContext,
  stream: ServerChannel,
  args: string[],
  pty: PtyOptions,
): ChannelProcess {
  let closed = false;
  const p = vms.spawnPty(vmId, ctx, args, pty);
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
      if (!closed) reportExit(stream, exitCode, signal || null);
    }, PTY_EXIT_FLUSH_MS);
  });
  stream.on("close", () => {
    closed = true;
    void vms.endSession(vmId, p.pid);
  });
  return {
    signal: (name) => signalGroup(p.pid, name),
    resize: (cols, rows) => p.resize(Math.max(1, cols), Math.max(1, rows)),
  };
}

/**
 * A process on pipes (no PTY: `ssh host cmd`, scp, rsync, sftp-server): stdout and stderr apart,
 * the client's EOF closes its stdin.
 */
export function runPiped(
  vms: VmRegistry,
  vmId: string,
  ctx: VmProcessContext,
  stream: ServerChannel,
  command: string,
): ChannelProcess {
  let closed = false;
  const child = vms.spawnCommand(vmId, ctx, command, true);
  child.stdout?.on("data", (d: Buffer) => {
    vms.touch(vmId);
    if (!closed && !stream.write(d)) {
      // Backpressure: stop reading until the client's window opens again (large scp/rsync).
      child.stdout?.pause();
      stream.once("drain", () => child.stdout?.resume());
    }
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
    if (child.stdin && !child.stdin.write(d)) {
      stream.pause();
      child.stdin.once("drain", () => stream.resume());
    }
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
    if (!closed) reportExit(stream, code, signal ? (osConstants.signals[signal] ?? null) : null);
  });
  stream.on("close", () => {
    closed = true;
    if (child.pid !== undefined) void vms.endSession(vmId, child.pid);
  });
  return {
    signal: (name) => signalGroup(child.pid, name),
    resize: () => {},
  };
}
