import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { constants as osConstants } from "node:os";
import nodePty, { type IPty } from "node-pty";

export interface VmProcessContext {
  /** Host directory standing in for the VM's workdir. */
  cwd: string;
  /** Host directory standing in for the user's home in the VM (`/root`, `/home/<user>`); HOME. */
  home: string;
  linuxUser: string;
  env?: Record<string, string>;
}

/**
 * A curated environment rather than the host's: the local stack runs with API keys and database
 * URLs in its environment, and a "VM" shell should not see them.
 */
export function vmEnv(ctx: VmProcessContext, term?: string): Record<string, string> {
  return {
    PATH: process.env.PATH ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    LANG: process.env.LANG ?? "C.UTF-8",
    HOME: ctx.home,
    USER: ctx.linuxUser,
    LOGNAME: ctx.linuxUser,
    SHELL: "/bin/bash",
    ...(term ? { TERM: term } : {}),
    ...ctx.env,
  };
}

/** The user may have deleted the workdir; recreate it rather than fail the spawn with a misleading ENOENT. */
function ensureCwd(ctx: VmProcessContext): void {
  mkdirSync(ctx.cwd, { recursive: true });
  mkdirSync(ctx.home, { recursive: true, mode: 0o700 });
}

/** `detached` makes the child a session leader, which is how the VM finds its processes later. */
export function spawnCommand(ctx: VmProcessContext, command: string, withStdin: boolean): ChildProcess {
  ensureCwd(ctx);
  return spawn("bash", ["-c", command], {
    cwd: ctx.cwd,
    env: vmEnv(ctx),
    detached: true,
    stdio: [withStdin ? "pipe" : "ignore", "pipe", "pipe"],
  });
}

export interface PtyOptions {
  term: string;
  cols: number;
  rows: number;
}

/** node-pty children call setsid themselves, so they are session leaders too. */
export function spawnPty(ctx: VmProcessContext, args: string[], pty: PtyOptions): IPty {
  ensureCwd(ctx);
  return nodePty.spawn("bash", args, {
    name: pty.term,
    cols: Math.max(1, pty.cols),
    rows: Math.max(1, pty.rows),
    cwd: ctx.cwd,
    env: vmEnv(ctx, pty.term),
  });
}

export interface CommandResult {
  stdout: string;
  stderr: string;
  /** null when the command did not exit on its own (killed by timeout or signal). */
  statusCode: number | null;
}

/** Shell convention (128 + signal number) so a killed command still reports a status. */
export function exitStatus(code: number | null, signal: NodeJS.Signals | null): number | null {
  if (code !== null) return code;
  const num = signal ? osConstants.signals[signal] : undefined;
  return num === undefined ? null : 128 + num;
}

/** After the shell exits, how long to keep reading output still held by background children. */
const DRAIN_AFTER_EXIT_MS = 100;

/** Bytes of each stream an exec answers with at most; the rest is read and dropped. */
export const EXEC_OUTPUT_MAX_BYTES = 1024 * 1024;

/** The first `max` bytes of a stream. It keeps reading past them, so the writer never blocks. */
function boundedSink(max: number) {
  const chunks: Buffer[] = [];
  let kept = 0;
  return {
    take(d: Buffer) {
      if (kept >= max) return;
      const part = d.length <= max - kept ? d : d.subarray(0, max - kept);
      chunks.push(part);
      kept += part.length;
    },
    text: () => Buffer.concat(chunks).toString("utf8"),
  };
}

/**
 * Collects a command's output, at most `maxBytes` of each stream (a VM's command can print
 * without end; the host would keep it all in memory). Resolves on exit rather than waiting for the
 * pipes to close: a backgrounded daemon that inherited stdout would otherwise hold the request
 * open forever. On timeout `onTimeout` kills the command.
 */
export function collectOutput(
  child: ChildProcess,
  onTimeout: () => void,
  timeoutMs?: number | null,
  maxBytes = EXEC_OUTPUT_MAX_BYTES,
) {
  return new Promise<CommandResult>((resolve, reject) => {
    const out = boundedSink(maxBytes);
    const err = boundedSink(maxBytes);
    child.stdout?.on("data", (d: Buffer) => out.take(d));
    child.stderr?.on("data", (d: Buffer) => err.take(d));
    let timedOut = false;
    const timer =
      timeoutMs != null && timeoutMs > 0
        ? setTimeout(() => {
            timedOut = true;
            onTimeout();
          }, timeoutMs)
        : undefined;
    let settled = false;
    const finish = (code: number | null, signal: NodeJS.Signals | null) => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      child.stdout?.destroy();
      child.stderr?.destroy();
      resolve({
        stdout: out.text(),
        stderr: err.text(),
        statusCode: timedOut ? null : exitStatus(code, signal),
      });
    };
    child.once("error", (e) => {
      if (timer) clearTimeout(timer);
      if (!settled) {
        settled = true;
        reject(e);
      }
    });
    child.once("close", (code, signal) => finish(code, signal));
    child.once("exit", (code, signal) => {
      setTimeout(() => finish(code, signal), DRAIN_AFTER_EXIT_MS);
    });
  });
}
