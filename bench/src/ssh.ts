import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildCliBundle, configSshTarget, runCw } from "@cw/cli/testing";
import { waitFor } from "@cw/testing";
import { type OpenSshTarget, openSsh, type RunResult, writeSshConfig } from "@cw/testing/openssh";
import { withBenchStack } from "./bench-stack.ts";
import { percentile } from "./stats.ts";

/**
 * `pnpm bench ssh`: the whole path a user takes, on the local stack (worker, PostgreSQL, VM host):
 *  - connect: `ssh cw-<ws> true` through cw's ssh_config block (`cw ssh-proxy`: Node starts, the
 *    workspace is looked up through the API, fresh credentials are issued, the bridge connects);
 *    the same with `cw config-ssh --multiplex` once a first connection is up; `cw ssh <ws> -- true`
 *    (the user's ssh straight to the gateway with fresh credentials); and plain `ssh` with
 *    credentials issued beforehand. p50/p99 and the ratios of p50s to plain (targets: bridge
 *    p50 ≤ 1 s and ≤ 3× plain).
 *  - throughput: `scp` of 50 MB each way through the bridge and plain, timed as a user sees it:
 *    the whole command, connect included. The target (≥ 0.7×) is the ratio of those MB/s (plain's
 *    median time over the bridge's). Also printed, labelled: the rate with each path's median
 *    connect taken off, which says what the relay itself costs.
 * Runs alternate between the paths so drift in machine load hits all alike.
 */
const CONNECTS = 40;
const TRANSFERS = 5;
const TRANSFER_BYTES = 50 * 1024 * 1024;
/**
 * Every bridge and `cw ssh` connect issues a grant (~95 in all), close to the default limit of 100
 * live per organization: room for more runs.
 */
const GRANTS = String(4 * CONNECTS + 4 * TRANSFERS + 20);

const PATHS = {
  bridge: "ssh cw-bench (bridge, fresh credentials)",
  multiplexed: "ssh cw-bench, --multiplex, master up  ",
  cwSsh: "cw ssh bench -- true (fresh credentials) ",
  plain: "plain ssh, credentials beforehand       ",
} as const;
type Path = keyof typeof PATHS;

async function timed(run: () => Promise<RunResult>): Promise<number> {
  const t0 = performance.now();
  const result = await run();
  if (result.code !== 0) throw new Error(`failed (${result.code}): ${result.stderr}`);
  return performance.now() - t0;
}

const median = (xs: number[]) => percentile(xs, 50);

export async function benchSsh(): Promise<{
  connectRatio: number;
  downloadRatio: number;
  uploadRatio: number;
}> {
  // The bench measures the built CLI, so build it from the current source first.
  buildCliBundle();
  return withBenchStack(
    { workerVars: { MAX_SSH_GRANTS_PER_ORGANIZATION: GRANTS } },
    async ({ stack, api, repositoryId }) => {
      const tmp = mkdtempSync(join(tmpdir(), "cw-bench-ssh-"));
      try {
        const user = async (name: string, configSsh: string[]) => {
          const home = join(tmp, name);
          mkdirSync(home);
          const login = await runCw(home, ["login", "--url", stack.workerUrl, "--token-stdin"], {
            input: stack.token,
          });
          if (login.code !== 0) throw new Error(`cw login: ${login.stderr}`);
          await runCw(home, ["config-ssh", ...configSsh]);
          return home;
        };
        const home = await user("cold", []);
        const shared = await user("multiplexed", ["--multiplex"]);
        const created = await api.createWorkspace({ repositoryId, name: "bench", branch: "main" });
        const ws = await waitFor("bench workspace running", async () => {
          const w = await api.getWorkspace(created.id);
          return w.status === "running" && w;
        });
        const beforehand = await api.createSshCredentials(ws.id);
        const vmHost = stack.vmHost!;
        const knownHosts = join(tmp, "known_hosts");
        const gatewayKey = readFileSync(join(stack.dataDir, "vm-host", "ssh_host_ed25519_key.pub"), "utf8");
        writeFileSync(knownHosts, `[${vmHost.sshHost}]:${vmHost.sshPort} ${gatewayKey.trim()}\n`);

        const targets: Record<Exclude<Path, "cwSsh">, OpenSshTarget> = {
          bridge: configSshTarget(home, "cw-bench"),
          multiplexed: configSshTarget(shared, "cw-bench"),
          plain: writeSshConfig(join(tmp, "cold"), "plain", [
            `HostName ${beforehand.host}`,
            `Port ${beforehand.port}`,
            `User ${beforehand.username}`,
            `UserKnownHostsFile ${knownHosts}`,
          ]),
        };
        const connectOnce: Record<Path, () => Promise<number>> = {
          bridge: () => timed(() => openSsh(targets.bridge).ssh([targets.bridge.host, "true"])),
          multiplexed: () =>
            timed(() => openSsh(targets.multiplexed).ssh([targets.multiplexed.host, "true"])),
          cwSsh: () => timed(() => runCw(home, ["ssh", "bench", "--", "true"])),
          plain: () => timed(() => openSsh(targets.plain).ssh([targets.plain.host, "true"])),
        };
        const paths = Object.keys(PATHS) as Path[];
        const connect: Record<Path, number[]> = { bridge: [], multiplexed: [], cwSsh: [], plain: [] };
        // Warm-up: pins the gateway's key, writes cw's compiled-code caches, starts the multiplex master.
        for (const path of paths) await connectOnce[path]();
        for (let i = 0; i < CONNECTS; i++)
          for (const path of paths) connect[path].push(await connectOnce[path]());

        writeFileSync(
          join(vmHost.vmDir(ws.providerVmId!), "workspace", "bench.bin"),
          randomBytes(TRANSFER_BYTES),
        );
        const upload = join(tmp, "upload.bin");
        writeFileSync(upload, randomBytes(TRANSFER_BYTES));
        const transfers = ["bridge", "plain"] as const;
        const down = { bridge: [] as number[], plain: [] as number[] };
        const up = { bridge: [] as number[], plain: [] as number[] };
        for (let i = 0; i < TRANSFERS; i++) {
          for (const path of transfers) {
            const { scp } = openSsh(targets[path]);
            const local = join(tmp, `download-${path}.bin`);
            down[path].push(await timed(() => scp(`${targets[path].host}:bench.bin`, local)));
            if (statSync(local).size !== TRANSFER_BYTES) throw new Error(`${path}: short download`);
            up[path].push(await timed(() => scp(upload, `${targets[path].host}:upload-${path}.bin`)));
          }
        }
        // The multiplex master outlives its sessions by design; end it with the bench.
        await openSsh(targets.multiplexed).ssh(["-O", "exit", targets.multiplexed.host]);

        const mb = TRANSFER_BYTES / 1e6;
        const rate = (ms: number[]) => mb / (median(ms) / 1000);
        const withoutConnect = (ms: number[], path: Path) =>
          mb / ((median(ms) - median(connect[path])) / 1000);
        const ratio = (path: Path) => median(connect[path]) / median(connect.plain);
        // The targets' figures: whole commands, as a user waits for them.
        const downloadRatio = rate(down.bridge) / rate(down.plain);
        const uploadRatio = rate(up.bridge) / rate(up.plain);
        const relayRatio = (runs: typeof down) =>
          withoutConnect(runs.bridge, "bridge") / withoutConnect(runs.plain, "plain");

        console.log(
          `\nssh bench: OpenSSH to one workspace on the local stack (${CONNECTS} connects, ${TRANSFERS} transfers)`,
        );
        for (const path of paths) {
          const c = connect[path];
          console.log(
            `  ${PATHS[path]}  p50 ${median(c).toFixed(0)} ms, p99 ${percentile(c, 99).toFixed(0)} ms, ` +
              `${ratio(path).toFixed(2)}× plain`,
          );
        }
        for (const path of transfers) {
          console.log(
            `  scp ${mb.toFixed(0)} MB ${path.padEnd(6)}  down ${rate(down[path]).toFixed(1)} MB/s ` +
              `(${median(down[path]).toFixed(0)} ms), up ${rate(up[path]).toFixed(1)} MB/s (${median(up[path]).toFixed(0)} ms); ` +
              `connect taken off: down ${withoutConnect(down[path], path).toFixed(1)}, up ${withoutConnect(up[path], path).toFixed(1)} MB/s`,
          );
        }
        console.log(
          `  targets: bridge connect p50 ${median(connect.bridge).toFixed(0)} ms (≤ 1000), ` +
            `${ratio("bridge").toFixed(2)}× plain (≤ 3); whole scp bridge/plain: down ${downloadRatio.toFixed(2)}×, ` +
            `up ${uploadRatio.toFixed(2)}× (≥ 0.7)`,
        );
        console.log(
          `  (connect taken off, the relay alone: down ${relayRatio(down).toFixed(2)}×, up ${relayRatio(up).toFixed(2)}×)`,
        );
        return { connectRatio: ratio("bridge"), downloadRatio, uploadRatio };
      } finally {
        rmSync(tmp, { recursive: true, force: true });
      }
    },
  );
}
