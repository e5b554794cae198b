import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

// vitest 5's reporter calls Map.groupBy, which Node 20 (our floor) lacks.
if (!("groupBy" in Map)) {
  Object.defineProperty(Map, "groupBy", {
    value<K, V>(items: Iterable<V>, key: (item: V, index: number) => K) {
      const groups = new Map<K, V[]>();
      let i = 0;
      for (const item of items) {
        const k = key(item, i++);
        groups.set(k, [...(groups.get(k) ?? []), item]);
      }
      return groups;
    },
  });
}

/**
 * The worker inside workerd (@cloudflare/vitest-plugin) against the PostgreSQL, VM host and DNS
 * server that worker/test/global-setup.ts starts. The tests are one such project; the workerd
 * benchmarks (vitest.bench.config.mts) another, with bindings of their own.
 */
export function workerProject({
  name,
  include,
  bindings = {},
  // Generous: a test that ticks the cron several times runs every job over the workers' shared
  // database (every earlier file's workspaces, real git and VM host calls), which a busy machine
  // slows many times over. A test that hangs still fails, only later.
  timeoutMs = 120_000,
}: {
  name: string;
  include: string[];
  bindings?: Record<string, string>;
  timeoutMs?: number;
}) {
  return {
    plugins: [
      cloudflareTest(({ inject }) => ({
        wrangler: { configPath: "./wrangler.toml" },
        miniflare: {
          bindings: {
            DATABASE_URL: inject("sharedDbUrl"),
            DATABASE_WS_PROXY: inject("dbProxy"),
            FREESTYLE_API_KEY: "test-key",
            // Nothing listens here: the tests' repositories are file:// paths, for which git never
            // asks the VMs' credential helper. The helper's round trip is tested against the
            // whole stack (local/test/private-repositories.test.ts).
            PUBLIC_URL: "http://127.0.0.1:9",
            GIT_CREDENTIAL_KEYS: `test:${Buffer.alloc(32, 7).toString("base64")}`,
            // Short, so the create-deadline test is quick; local creates take well under it.
            PROVIDER_CREATE_TIMEOUT_MS: "3000",
            FREESTYLE_API_URL: inject("vmHost").url,
            FREESTYLE_SSH_HOST: inject("vmHost").sshHost,
            FREESTYLE_SSH_PORT: String(inject("vmHost").sshPort),
            // The tests' repositories are file:// paths; repository-urls.test.ts turns it off.
            ALLOW_LOCAL_REPOSITORIES: "true",
            // A small DNS-over-HTTPS server of the tests' own (global-setup.ts), never the internet's.
            DNS_RESOLVER_URL: inject("dnsResolver"),
            // Far above what a delivery takes on a busy machine, so "a hanging receiver does not
            // delay another endpoint" never depends on the timeout (webhook-retries.test.ts
            // tests the timeout itself with a short one).
            WEBHOOK_TIMEOUT_MS: "30000",
            ...bindings,
          },
        },
      })),
    ],
    test: {
      name,
      include,
      globalSetup: ["worker/test/global-setup.ts"],
      // Files share the VM host (and some the workers' database); one at a time keeps their
      // call logs and ticks apart.
      fileParallelism: false,
      testTimeout: timeoutMs,
      hookTimeout: timeoutMs,
    },
  };
}

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "node",
          environment: "node",
          include: [
            "contracts/test/**/*.test.ts",
            "local/test/**/*.test.ts",
            "desktop/test/**/*.test.ts",
            "testing/test/**/*.test.ts",
            "cli/test/**/*.test.ts",
            "client-node/test/**/*.test.ts",
          ],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      workerProject({ name: "worker", include: ["worker/test/**/*.test.ts"] }),
    ],
  },
});
