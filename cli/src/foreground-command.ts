import { spawn } from "node:child_process";
import { constants } from "node:os";

/**
 * A command cw runs in the foreground on its own terminal and stdio (`cw hold WS -- COMMAND`), as a
 * shell runs one: its exit status said the shell's way, signals meant for it passed on.
 */

/** The exit status a shell reports: the command's code, or 128 + the number of the signal that ended it. */
export function shellStatus(code: number | null, signal: NodeJS.Signals | null): number {
  return code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0);
}

/** The signals cw catches while a command runs: it must release what it holds before it exits. */
export const CAUGHT_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
export type CaughtSignal = (typeof CAUGHT_SIGNALS)[number];

/**
 * Whether cw passes a signal it caught on to the command. A terminal's Ctrl-C reaches every process
 * of its foreground group, the command as well as cw, so on a terminal SIGINT is not sent a second
 * time (a program that takes a second Ctrl-C for "quit now, skip the cleanup" would). SIGTERM and
 * SIGHUP, and SIGINT when cw has no terminal (`kill -INT`, a CI runner), were sent to cw alone.
 */
export function forwardsSignal(signal: CaughtSignal, onTerminal: boolean): boolean {
  return !(signal === "SIGINT" && onTerminal);
}

/**
 * Catches CAUGHT_SIGNALS from now on (so none ends cw before it has cleaned up) and hands each to
 * `onSignal`; `stop` gives them back their default.
 */
export function catchSignals(onSignal: (signal: CaughtSignal) => void): { stop(): void } {
  const handlers = CAUGHT_SIGNALS.map((signal) => {
    const handler = () => onSignal(signal);
    process.on(signal, handler);
    return () => process.off(signal, handler);
  });
  return {
    stop() {
      for (const off of handlers) off();
    },
  };
}

export interface ForegroundCommand {
  /** Its exit status as a shell says it: 127 when there is no such command, 126 when it cannot be run. */
  exited: Promise<number>;
  kill(signal: NodeJS.Signals): void;
}

/** Starts `command` (program and arguments, no shell) on cw's stdin, stdout and stderr. */
export function runInForeground(command: string[], say: (line: string) => void): ForegroundCommand {
  const [program, ...args] = command as [string, ...string[]];
  const child = spawn(program, args, { stdio: "inherit" });
  const exited = new Promise<number>((resolve) => {
    child.on("error", (e: NodeJS.ErrnoException) => {
      // A failure to start; once it runs (it has a pid), its end arrives as "exit".
      if (child.pid !== undefined) return;
      if (e.code === "ENOENT") say(`${program}: command not found`);
      else say(`${program}: ${e.message}`);
      resolve(e.code === "ENOENT" ? 127 : 126);
    });
    child.once("exit", (code, signal) => resolve(shellStatus(code, signal)));
  });
  return {
    exited,
    kill(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
  };
}
