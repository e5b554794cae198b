import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  bridgeTarget,
  buildCliBundle,
  serveSshCredentials,
  sshCredentials,
} from "@cw/cli/ssh-bridge/testing";
import { startVmHost } from "@cw/local/vm-host/index";
import { type OpenSshTarget, openSsh, writeSshConfig } from "@cw/testing/openssh";
import { Freestyle } from "freestyle-sandboxes";
import { percentile } from "./stats.ts";

/**
 * `pnpm bench ssh`: OpenSSH through the SSH bridge (the built `cw internal-ssh-bridge` as
 * ProxyCommand, its credentials from a stand-in for `POST /v1/workspaces/{id}/ssh`) against plain OpenSSH with credentials issued beforehand, both to one VM on the
 * local VM host:
 *  - connect: `ssh <alias> true`, p50/p99 and the ratio of p50s (targets: bridge ≤ 1 s, ≤ 3×).
 *    The bridge gets fresh credentials from the VM host's identity API on every connect, as
 *    `cw ssh-proxy` will from the control plane; a second bridge row reuses one set, to show
 *    what the bridge itself costs apart from issuing credentials.
 *  - throughput: `scp` of 50 MB each way: MB/s of the whole command, and of the transfer alone
 *    (the command's time less that path's median connect); ratios of the latter (target ≥ 0.7×).
 * Runs alternate between the paths so drift in machine load hits all alike.
 */
const CONNECTS = 40;
const TRANSFERS = 3;
const TRANSFER_BYTES = 50 * 1024 * 1024;
const API_KEY = "bench-ssh-key";

const PATHS = {
  bridge: "bridge, fresh credentials       ",
  bridgeReused: "bridge, credentials beforehand  ",
  plain: "plain ssh, credentials beforehand",
} as const;
type Path = keyof typeof PATHS;

async function timed(run: () => Promise<{ code: number | null; stderr: string }>): Promise<number> {
  const t0 = performance.now();
  const result = await run();
  if (result.code !== 0) throw new Error(`ssh failed (${result.code}): ${result.stderr}`);
  return performance.now() - t0;
}

const median = (xs: number[]) => percentile(xs, 50);

export async function benchSsh(): Promise<{
  connectRatio: number;
  downloadRatio: number;
  uploadRatio: number;
}> {
  // The bench measures the built bridge, so build it from the current source first.
  buildCliBundle();
  const tmp = mkdtempSync(join(tmpdir(), "cw-bench-ssh-"));
  const host = await startVmHost({ dataDir: join(tmp, "vm-host"), apiKey: API_KEY });
  const freestyle = new Freestyle({ apiKey: API_KEY, baseUrl: host.url });
  const { vmId } = await freestyle.vms.create({ workdir: "/workspace" });
  const issue = async () => {
    const { identity } = await freestyle.identities.create();
    await identity.permissions.vms.grant({ vmId });
    const { token } = await identity.tokens.create();
    return sshCredentials(host.sshHost, host.sshPort, vmId, token);
  };
  const beforehand = await issue();
  const api = await serveSshCredentials({
    fresh: async () => ({ status: 200, body: await issue() }),
    reused: async () => ({ status: 200, body: beforehand }),
  });
  try {
    const home = join(tmp, "home");
    mkdirSync(home);
    const knownHosts = join(home, "known_hosts");
    const hostKey = readFileSync(join(tmp, "vm-host", "ssh_host_ed25519_key.pub"), "utf8").trim();
    writeFileSync(knownHosts, `[${host.sshHost}]:${host.sshPort} ${hostKey}\n`);
    const targets: Record<Path, OpenSshTarget> = {
      bridge: await bridgeTarget(home, "ws", api.url, "fresh"),
      bridgeReused: await bridgeTarget(home, "ws-reused", api.url, "reused"),
      plain: writeSshConfig(home, "plain", [
        `HostName ${beforehand.host}`,
        `Port ${beforehand.port}`,
        `User ${beforehand.username}`,
        `UserKnownHostsFile ${knownHosts}`,
      ]),
    };
    const paths = Object.keys(PATHS) as Path[];
    const sshTrue = (path: Path) => timed(() => openSsh(targets[path]).ssh([targets[path].host, "true"]));

    const connect: Record<Path, number[]> = { bridge: [], bridgeReused: [], plain: [] };
    // Warm-up: the bridge's first run pins the gateway's key; caches warm for all.
    for (const path of paths) await sshTrue(path);
    for (let i = 0; i < CONNECTS; i++) for (const path of paths) connect[path].push(await sshTrue(path));

    writeFileSync(join(host.vmDir(vmId), "workspace", "bench.bin"), randomBytes(TRANSFER_BYTES));
    const upload = join(home, "upload.bin");
    writeFileSync(upload, randomBytes(TRANSFER_BYTES));
    const transfers = ["bridge", "plain"] as const;
    const down = { bridge: [] as number[], plain: [] as number[] };
    const up = { bridge: [] as number[], plain: [] as number[] };
    for (let i = 0; i < TRANSFERS; i++) {
      for (const path of transfers) {
        const { scp } = openSsh(targets[path]);
        const local = join(home, `download-${path}.bin`);
        down[path].push(await timed(() => scp(`${targets[path].host}:bench.bin`, local)));
        if (statSync(local).size !== TRANSFER_BYTES) throw new Error(`${path}: short download`);
        up[path].push(await timed(() => scp(upload, `${targets[path].host}:upload-${path}.bin`)));
      }
    }

    const mb = TRANSFER_BYTES / 1e6;
    const whole = (ms: number[]) => mb / (median(ms) / 1000);
    const transfer = (ms: number[], path: Path) => mb / ((median(ms) - median(connect[path])) / 1000);
    const connectRatio = median(connect.bridge) / median(connect.plain);
    const downloadRatio = transfer(down.bridge, "bridge") / transfer(down.plain, "plain");
    const uploadRatio = transfer(up.bridge, "bridge") / transfer(up.plain, "plain");

    console.log(
      `\nssh bench: OpenSSH to one VM on the local VM host (${CONNECTS} connects, ${TRANSFERS} transfers)`,
    );
    for (const path of paths) {
      const c = connect[path];
      console.log(
        `  ${PATHS[path]}  ssh true: p50 ${median(c).toFixed(0)} ms, p99 ${percentile(c, 99).toFixed(0)} ms`,
      );
    }
    for (const path of transfers) {
      console.log(
        `  ${PATHS[path]}  scp ${mb.toFixed(0)} MB down ${whole(down[path]).toFixed(1)} MB/s ` +
          `(transfer ${transfer(down[path], path).toFixed(1)}), up ${whole(up[path]).toFixed(1)} MB/s ` +
          `(transfer ${transfer(up[path], path).toFixed(1)})`,
      );
    }
    console.log(
      `  connect p50 bridge ${median(connect.bridge).toFixed(0)} ms (target ≤ 1000), ` +
        `bridge/plain ${connectRatio.toFixed(2)}× (target ≤ 3), ` +
        `with credentials beforehand ${(median(connect.bridgeReused) / median(connect.plain)).toFixed(2)}×`,
    );
    console.log(
      `  transfer rate bridge/plain: down ${downloadRatio.toFixed(2)}×, up ${uploadRatio.toFixed(2)}× (target ≥ 0.7)`,
    );
    return { connectRatio, downloadRatio, uploadRatio };
  } finally {
    await api.close();
    await host.close();
    rmSync(tmp, { recursive: true, force: true });
  }
}
