import { defineConfig } from "vitest/config";
import { workerProject } from "./vitest.config.mts";

// The benchmarks that run inside workerd (worker/bench/), started by `pnpm bench <name>`; not part
// of `pnpm test`. They print figures rather than assert targets.
export default defineConfig({
  test: {
    projects: [
      workerProject({
        name: "worker-bench",
        include: ["worker/bench/**/*.bench.ts"],
        // Sessions expire after three missed 1 s heartbeats, so the expiry figure takes seconds.
        bindings: { PRESENCE_HEARTBEAT_SECONDS: "1" },
        timeoutMs: 300_000,
      }),
    ],
  },
});
