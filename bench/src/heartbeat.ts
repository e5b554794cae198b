import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));
const vitest = fileURLToPath(new URL("../../node_modules/vitest/vitest.mjs", import.meta.url));

/**
 * `pnpm bench heartbeat`: heartbeats per second through one workspace's presence object, measured
 * inside workerd beside the same harness's ceiling, and how long after a session's expiry Postgres
 * reflects it. Over `wrangler dev` the harness itself was the limit (a trivial route served fewer
 * requests than the object could take), so this one runs where the worker's tests run: vitest with
 * @cloudflare/vitest-plugin (vitest.bench.config.mts, worker/bench/heartbeat.bench.ts), whose global
 * setup starts the PostgreSQL (the one at TEST_PG_HOST or 127.0.0.1:5432, else an embedded one).
 */
export async function benchHeartbeat() {
  const child = spawn(
    process.execPath,
    [vitest, "run", "--config", "vitest.bench.config.mts", "worker/bench/heartbeat.bench.ts"],
    { cwd: root, stdio: "inherit", env: { ...process.env, PWD: root, WRANGLER_SEND_METRICS: "false" } },
  );
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on("error", reject);
    child.on("exit", resolve);
  });
  if (code !== 0) throw new Error(`the heartbeat bench failed (vitest exited ${code})`);
}
