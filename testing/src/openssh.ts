import { spawn } from "node:child_process";
import { appendFileSync } from "node:fs";
import { join } from "node:path";
import nodePty from "node-pty";

/**
 * Runs the real OpenSSH clients (`ssh`, `scp`, `sftp`, `rsync -e ssh`) against one configured
 * host, for tests and benches. Every client gets `-F <config>` and HOME set to a temporary
 * directory, so nobody's own ~/.ssh (config, keys, known_hosts, agent) is read or written.
 */
export interface OpenSshTarget {
  /** A temporary directory: HOME for the clients; the config file lives here. */
  home: string;
  /** The `Host` alias the config defines. */
  host: string;
  configFile: string;
  /** More environment for the clients (and so for a ProxyCommand they start). */
  env?: Record<string, string>;
}

/** Options that keep the client from prompting, from using the caller's keys and from touching their files. */
const HERMETIC = [
  "BatchMode yes",
  "StrictHostKeyChecking yes",
  "GlobalKnownHostsFile /dev/null",
  "UpdateHostKeys no",
  "IdentityAgent none",
  "IdentityFile none",
  "IdentitiesOnly yes",
  "PubkeyAuthentication no",
  "ControlMaster no",
  "LogLevel ERROR",
];

/** Adds a host block to `<home>/ssh_config`: the options given (one per line) and the hermetic defaults. */
export function writeSshConfig(home: string, host: string, options: string[]): OpenSshTarget {
  const configFile = join(home, "ssh_config");
  const lines = [`Host ${host}`, ...[...options, ...HERMETIC].map((o) => `  ${o}`), ""];
  appendFileSync(configFile, lines.join("\n"));
  return { home, host, configFile };
}

export interface RunResult {
  stdout: string;
  stderr: string;
  code: number | null;
}

/** Generous: these are whole-process runs on a busy machine; a hang fails with the output so far. */
const RUN_DEADLINE_MS = 120_000;

export function clientEnv(target: OpenSshTarget): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, LANG: process.env.LANG ?? "C.UTF-8", ...target.env, HOME: target.home };
}

/** Runs a client to completion. */
export function runClient(
  target: OpenSshTarget,
  command: string,
  args: string[],
  input?: string,
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: clientEnv(target), cwd: target.home });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${command} ${args.join(" ")} did not finish; stdout ${stdout}, stderr ${stderr}`));
    }, RUN_DEADLINE_MS);
    child.once("error", reject);
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, code });
    });
    child.stdin.end(input ?? "");
  });
}

export function openSsh(target: OpenSshTarget) {
  const f = ["-F", target.configFile];
  return {
    ssh: (args: string[], input?: string) => runClient(target, "ssh", [...f, ...args], input),
    /** `remote:` paths are spelled `host:path` with this target's alias. */
    scp: (from: string, to: string) => runClient(target, "scp", [...f, "-q", from, to]),
    sftp: (batch: string) => runClient(target, "sftp", [...f, "-q", "-b", "-", target.host], batch),
    rsync: (args: string[]) => runClient(target, "rsync", ["-e", `ssh ${f.join(" ")}`, ...args]),
  };
}

/** A long-running `ssh` (a forward, a server in the VM): wait for its output, then stop it. */
export function startSsh(target: OpenSshTarget, args: string[]) {
  const child = spawn("ssh", ["-F", target.configFile, ...args], {
    env: clientEnv(target),
    cwd: target.home,
  });
  let stdout = "";
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("close", (code) => resolve(code)));
  return {
    /** Resolves with the first match of `pattern` on stdout; rejects if ssh exits first. */
    waitFor(pattern: RegExp, timeoutMs = RUN_DEADLINE_MS): Promise<RegExpMatchArray> {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => fail("did not print it in time"), timeoutMs);
        const onData = (d: Buffer) => {
          stdout += d.toString();
          const m = stdout.match(pattern);
          if (!m) return;
          child.stdout.off("data", onData);
          clearTimeout(timer);
          resolve(m);
        };
        const fail = (why: string) => {
          child.stdout.off("data", onData);
          clearTimeout(timer);
          reject(
            new Error(
              `ssh ${args.join(" ")} ${why}: waiting for ${pattern}; stdout ${stdout}, stderr ${stderr}`,
            ),
          );
        };
        child.stdout.on("data", onData);
        void exited.then((code) => fail(`exited (${code})`));
      });
    },
    /** Resolves when ssh exits on its own. */
    async done(): Promise<{ code: number | null; stdout: string; stderr: string }> {
      return { code: await exited, stdout, stderr };
    },
    async stop(): Promise<void> {
      child.kill("SIGTERM");
      await exited;
    },
  };
}

/** `ssh -tt` inside a real terminal (node-pty), so a resize of that terminal sends `window-change`. */
export function sshOnTerminal(target: OpenSshTarget, cols: number, rows: number) {
  const pty = nodePty.spawn("ssh", ["-F", target.configFile, "-tt", target.host], {
    name: "xterm-256color",
    cols,
    rows,
    cwd: target.home,
    env: clientEnv(target) as Record<string, string>,
  });
  let buffer = "";
  let exited: { exitCode: number } | null = null;
  pty.onData((d) => (buffer += d));
  pty.onExit((e) => (exited = e));
  return {
    write: (text: string) => pty.write(text),
    resize: (c: number, r: number) => pty.resize(c, r),
    /** Waits for `pattern` in what arrived since the last match (event-driven on data, deadline generous). */
    read(pattern: RegExp, timeoutMs = 30_000): Promise<RegExpMatchArray> {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = buffer.match(pattern);
          if (!m) return false;
          buffer = buffer.slice((m.index ?? 0) + m[0].length);
          cleanup();
          resolve(m);
          return true;
        };
        const sub = pty.onData(() => check());
        const timer = setTimeout(() => {
          cleanup();
          reject(
            new Error(
              `no ${pattern} from ssh -tt (exited: ${JSON.stringify(exited)}); got ${JSON.stringify(buffer)}`,
            ),
          );
        }, timeoutMs);
        const cleanup = () => {
          sub.dispose();
          clearTimeout(timer);
        };
        check();
      });
    },
    close: () => pty.kill(),
  };
}
