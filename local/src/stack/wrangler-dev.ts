import { type ChildProcess, spawn } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { writePrivateFileSync } from "@cw/client-node/private-files";
import type { Log } from "./log.ts";

/**
 * wrangler's CLI entry. Its bin wrapper refuses Node < 22, but the CLI itself runs on Node 20
 * (our floor), so it is started directly.
 */
function wranglerCli(): string {
  const pkg = createRequire(import.meta.url).resolve("wrangler/package.json");
  return join(dirname(pkg), "wrangler-dist", "cli.js");
}

async function waitUntilHealthy(url: string, child: ChildProcess, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited with code ${child.exitCode}`);
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`wrangler dev did not answer ${url}/healthz within ${timeoutMs} ms`);
}

/** The worker under `wrangler dev`, with its variables written to an owner-only env file. */
export async function startWranglerDev(opts: {
  rootDir: string;
  dataDir: string;
  port: number;
  vars: Record<string, string>;
  log: Log;
}) {
  // Owner-only: it carries the database password and the VM host's key.
  const envFile = join(opts.dataDir, "worker.env");
  writePrivateFileSync(
    envFile,
    Object.entries(opts.vars)
      .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
      .join("\n"),
  );
  const child = spawn(
    process.execPath,
    [
      wranglerCli(),
      "dev",
      "--ip",
      "127.0.0.1",
      "--port",
      String(opts.port),
      "--test-scheduled",
      "--env-file",
      envFile,
      "--persist-to",
      join(opts.dataDir, "wrangler"),
      "--show-interactive-dev-session=false",
    ],
    {
      cwd: opts.rootDir,
      // Its own process group, so stopping the stack stops workerd too.
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, WRANGLER_SEND_METRICS: "false", NO_COLOR: "1", FORCE_COLOR: "0" },
    },
  );
  child.stdout!.on("data", (chunk: Buffer) => opts.log(chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => opts.log(chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  // If this process ends without close() (Ctrl-C during start-up, a crash), workerd must not outlive it.
  const onExit = () => {
    try {
      if (child.exitCode === null && child.pid) process.kill(-child.pid, "SIGTERM");
    } catch {}
  };
  process.once("exit", onExit);
  const url = `http://127.0.0.1:${opts.port}`;
  const stop = async () => {
    process.off("exit", onExit);
    if (child.exitCode !== null || child.pid === undefined) return;
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {
      return;
    }
    const killer = setTimeout(() => {
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {}
    }, 5000);
    await exited;
    clearTimeout(killer);
  };
  try {
    await waitUntilHealthy(url, child, 90_000);
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, close: stop };
}
