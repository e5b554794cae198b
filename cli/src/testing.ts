import { execFileSync, spawn } from "node:child_process";
import { join } from "node:path";
import { Duplex } from "node:stream";
import { fileURLToPath } from "node:url";
import { clientEnv, type OpenSshTarget, type RunResult, runClient } from "@cw/testing/openssh";
import ssh2 from "ssh2";

/**
 * For tests and benches of `cw`: the built CLI run as a user runs it, with HOME in a temporary
 * folder (so its config folder, ~/.ssh/config and caches are the test's own).
 */
export const CLI_BUNDLE = fileURLToPath(new URL("../dist/cw.cjs", import.meta.url));

/** Builds dist/ from the current source (what `pnpm --filter @cw/cli build` runs). */
export function buildCliBundle(): void {
  execFileSync(process.execPath, [fileURLToPath(new URL("../scripts/build.mjs", import.meta.url))], {
    stdio: "inherit",
  });
}

/** `cw <args>` to completion, as a user in `home` (stdin: `input`, else empty; not a terminal). */
export function runCw(
  home: string,
  args: string[],
  opts: { input?: string; env?: Record<string, string>; cwd?: string } = {},
): Promise<RunResult> {
  const target: OpenSshTarget = { home, host: "", configFile: "", env: opts.env, cwd: opts.cwd };
  return runClient(target, process.execPath, [CLI_BUNDLE, ...args], opts.input);
}

/**
 * `cw <args>` started as a user in `home` starts it, left running: the test reads its output as it
 * comes, signals it, and awaits its end (code, or the signal that ended it).
 */
export function startCw(home: string, args: string[]) {
  const target: OpenSshTarget = { home, host: "", configFile: "" };
  const child = spawn(process.execPath, [CLI_BUNDLE, ...args], { env: clientEnv(target), cwd: home });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  child.stdin.end();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("close", (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    exited: exited.then((end) => ({ ...end, stdout, stderr })),
    output: () => ({ stdout, stderr }),
  };
}

/** The ssh_config `cw config-ssh` wrote in `home`, as a target for `@cw/testing/openssh`. */
export function configSshTarget(home: string, host: string, env?: Record<string, string>): OpenSshTarget {
  // OpenSSH reads the passwd entry's home, not $HOME: hand it the test's config explicitly.
  return { home, host, configFile: join(home, ".ssh", "config"), env };
}

/** An ssh2 client speaking SSH over the stdio of `cw <args>` (a bridge command), as ssh does through a ProxyCommand. */
export function connectThroughCw(target: OpenSshTarget, args: string[]): Promise<ssh2.Client> {
  const child = spawn(process.execPath, [CLI_BUNDLE, ...args], {
    env: clientEnv(target),
    stdio: ["pipe", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    const client = new ssh2.Client();
    client.once("ready", () => resolve(client)).once("error", reject);
    client.once("close", () => child.kill());
    client.connect({
      sock: Duplex.from({ readable: child.stdout, writable: child.stdin }),
      username: "cw",
      readyTimeout: 60_000,
    });
  });
}
