import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));
const vitest = fileURLToPath(new URL("../../node_modules/vitest/vitest.mjs", import.meta.url));

/**
 * Runs one of the benchmarks that live inside workerd (`worker/bench/<name>.bench.ts`) where the
 * worker's tests run: vitest with @cloudflare/vitest-plugin (vitest.bench.config.mts), whose global
 * setup starts the PostgreSQL (the one at TEST_PG_HOST or 127.0.0.1:5432, else an embedded one) and
 * the local VM host. It prints its own figures.
 */
export async function runWorkerdBench(name: string) {
  const child = spawn(
    process.execPath,
    [vitest, "run", "--config", "vitest.bench.config.mts", `worker/bench/${name}.bench.ts`],
    { cwd: root, stdio: "inherit", env: { ...process.env, PWD: root, WRANGLER_SEND_METRICS: "false" } },
  );
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on("error", reject);
    child.on("exit", resolve);
  });
  if (code !== 0) throw new Error(`the ${name} bench failed (vitest exited ${code})`);
}
