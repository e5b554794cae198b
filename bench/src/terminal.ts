import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { createApiClient } from "@cw/contracts/client";
import { memoryHostKeyStore } from "@cw/desktop/core/ssh/host-keys";
import { createTerminalManager } from "@cw/desktop/core/ssh/terminal-manager";
import { startTestStack, waitFor } from "@cw/testing/node";
import { errorsOnly } from "./bench-stack.ts";
import { percentile } from "./stats.ts";

/**
 * `pnpm bench terminal`: the desktop's terminal path (core SSH manager: ssh2, streaming UTF-8
 * decode, output batching) against OpenSSH's `ssh -tt`, both into the same workspace on the local
 * VM host's SSH server, both with a PTY shell:
 *  - bulk: time to `cat` a 50 MB text file until a marker after it arrives;
 *  - echo: time from sending one keystroke to seeing it echoed (typed with a 15 ms gap, like fast
 *    typing; back-to-back keys would measure the batcher's coalescing window instead).
 * The stack (and so the SSH server) runs in a child process, so neither client shares its event loop.
 */
const BULK_BYTES = 50_000_000;
const BULK_RUNS = 3;
const ECHO_SAMPLES = 200;
const KEY_GAP_MS = 15;

interface Shell {
  write(data: string): void;
  /** Resolves when `marker` has arrived; returns the characters received since the last call. */
  waitFor(marker: string, timeoutMs?: number): Promise<number>;
  close(): Promise<void>;
}

/** Receive-side bookkeeping shared by both clients: a short tail to find markers, and a count. */
function receiver() {
  let tail = "";
  let count = 0;
  let waiter: { marker: string; resolve: (n: number) => void } | null = null;
  return {
    push(text: string) {
      count += text.length;
      tail = (tail + text).slice(-256);
      if (waiter && tail.includes(waiter.marker)) {
        const w = waiter;
        waiter = null;
        tail = "";
        const n = count;
        count = 0;
        w.resolve(n);
      }
    },
    waitFor(marker: string, timeoutMs = 120_000): Promise<number> {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no "${marker}" within ${timeoutMs} ms`)), timeoutMs);
        waiter = {
          marker,
          resolve: (n) => {
            clearTimeout(timer);
            resolve(n);
          },
        };
        this.push("");
      });
    },
  };
}

interface Creds {
  host: string;
  port: number;
  username: string;
}

async function coreShell(creds: Creds): Promise<Shell> {
  const rx = receiver();
  let onExit: () => void = () => {};
  const manager = createTerminalManager({
    hostKeys: memoryHostKeyStore(),
    onData: (_id, text) => rx.push(text),
    onExit: () => onExit(),
  });
  const id = await manager.open({ ...creds, cols: 200, rows: 50 });
  return {
    write: (data) => manager.write(id, data),
    waitFor: (m, t) => rx.waitFor(m, t),
    close: () =>
      new Promise<void>((resolve) => {
        onExit = resolve;
        manager.close(id);
      }),
  };
}

async function opensshShell(creds: Creds): Promise<Shell> {
  const rx = receiver();
  const child: ChildProcess = spawn(
    "ssh",
    [
      "-tt",
      "-p",
      String(creds.port),
      "-o",
      "StrictHostKeyChecking=no",
      "-o",
      "UserKnownHostsFile=/dev/null",
      "-o",
      "LogLevel=ERROR",
      "-o",
      "BatchMode=yes",
      "-l",
      creds.username,
      creds.host,
    ],
    { stdio: ["pipe", "pipe", "inherit"] },
  );
  child.stdout!.setEncoding("utf8");
  child.stdout!.on("data", (d: string) => rx.push(d));
  return {
    write: (data) => child.stdin!.write(data),
    waitFor: (m, t) => rx.waitFor(m, t),
    close: () =>
      new Promise<void>((resolve) => {
        child.once("exit", () => resolve());
        child.stdin!.end("exit\r");
      }),
  };
}

/** Markers are typed split by quotes, so the echoed command line never matches them. */
async function ready(shell: Shell): Promise<void> {
  shell.write("stty cols 200 rows 50; echo RE''ADY\r");
  await shell.waitFor("READY");
}

async function bulk(shell: Shell): Promise<{ ms: number; chars: number }> {
  const t0 = performance.now();
  shell.write("cat bench.txt; echo BULK''DONE\r");
  const chars = await shell.waitFor("BULKDONE");
  return { ms: performance.now() - t0, chars };
}

async function echo(shell: Shell, samples: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < samples; i++) {
    await new Promise((r) => setTimeout(r, KEY_GAP_MS));
    if (i > 0 && i % 50 === 0) {
      // Clear the line (Ctrl-U) so it never wraps, and let the redraw settle.
      shell.write("\x15echo CL''EAR\r");
      await shell.waitFor("CLEAR");
      await new Promise((r) => setTimeout(r, 50));
    }
    const key = String.fromCharCode(97 + (i % 26));
    const t0 = performance.now();
    shell.write(key);
    await shell.waitFor(key, 5_000);
    out.push(performance.now() - t0);
  }
  shell.write("\x15");
  return out;
}

const median = (xs: number[]) => percentile(xs, 50);

export async function benchTerminal(): Promise<{ throughputRatio: number; echoRatio: number }> {
  const child = spawn(
    process.execPath,
    [...process.execArgv, fileURLToPath(import.meta.url), "--serve-stack"],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  try {
    const info = await new Promise<{ workerUrl: string; token: string }>((resolve, reject) => {
      const lines = createInterface({ input: child.stdout! });
      lines.on("line", (line) => {
        if (line.startsWith("CW_BENCH_STACK ")) resolve(JSON.parse(line.slice("CW_BENCH_STACK ".length)));
      });
      child.once("exit", (code) =>
        reject(new Error(`the stack process exited (${code}) before it was ready`)),
      );
    });
    const api = createApiClient({ baseUrl: info.workerUrl, token: info.token });
    const demo = (await api.listRepositories()).items.find((r) => r.name === "demo")!;
    const ws = await api.createWorkspace({ repositoryId: demo.id, name: "bench", branch: "main" });
    await waitFor("the workspace running", async () => (await api.getWorkspace(ws.id)).status === "running");
    const creds = await api.createSshCredentials(ws.id);

    // The file both clients cat: 50 MB of base64 text in 100-column lines.
    const prep = await coreShell(creds);
    await ready(prep);
    prep.write(
      `head -c ${BULK_BYTES} /dev/urandom | base64 -w 100 | head -c ${BULK_BYTES} > bench.txt; echo PR''EP\r`,
    );
    await prep.waitFor("PREP");
    await prep.close();

    const clients = { core: coreShell, openssh: opensshShell } as const;
    const bulkMs: Record<keyof typeof clients, number[]> = { core: [], openssh: [] };
    const echoMs: Record<keyof typeof clients, number[]> = { core: [], openssh: [] };
    let chars = 0;
    // Alternate clients so drift in machine load hits both alike.
    for (let run = 0; run < BULK_RUNS; run++) {
      for (const name of Object.keys(clients) as (keyof typeof clients)[]) {
        const shell = await clients[name](creds);
        await ready(shell);
        const r = await bulk(shell);
        bulkMs[name].push(r.ms);
        chars = r.chars;
        echoMs[name].push(...(await echo(shell, ECHO_SAMPLES / BULK_RUNS)));
        await shell.close();
      }
    }

    const mb = chars / 1e6;
    const rate = (name: keyof typeof clients) => mb / (median(bulkMs[name]) / 1000);
    const throughputRatio = rate("core") / rate("openssh");
    const echoRatio = median(echoMs.core) / median(echoMs.openssh);
    console.log(`\nterminal bench: PTY shell on the local VM host's SSH server, ${BULK_RUNS} runs each`);
    for (const name of Object.keys(clients) as (keyof typeof clients)[]) {
      console.log(
        `  ${name === "core" ? "core SSH manager (ssh2)" : "OpenSSH ssh -tt         "}  bulk ${mb.toFixed(1)} MB: median ${median(bulkMs[name]).toFixed(0)} ms (${rate(name).toFixed(1)} MB/s)   echo p50 ${median(echoMs[name]).toFixed(2)} ms, p99 ${percentile(echoMs[name], 99).toFixed(2)} ms`,
      );
    }
    console.log(`  throughput core/OpenSSH ${throughputRatio.toFixed(2)}× (target ≥ 0.8)`);
    console.log(`  echo latency core/OpenSSH ${echoRatio.toFixed(2)}× (target ≤ 1.2)`);
    await api.deleteWorkspace(ws.id).catch(() => {});
    return { throughputRatio, echoRatio };
  } finally {
    child.kill("SIGTERM");
    await new Promise((r) => child.once("exit", r));
  }
}

/** The child: the whole stack, quiet, until SIGTERM. */
async function serveStack(): Promise<void> {
  const stack = await startTestStack("cw-bench-terminal-", { log: errorsOnly });
  console.log(`CW_BENCH_STACK ${JSON.stringify({ workerUrl: stack.workerUrl, token: stack.token })}`);
  process.once("SIGTERM", () => void stack.stop().finally(() => process.exit(0)));
}

if (process.argv[2] === "--serve-stack" && process.argv[1] === fileURLToPath(import.meta.url))
  await serveStack();
