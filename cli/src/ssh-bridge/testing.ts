import { execFileSync, spawn } from "node:child_process";
import { createServer } from "node:http";
import { join } from "node:path";
import { Duplex } from "node:stream";
import { fileURLToPath } from "node:url";
import type { SshCredentials } from "@cw/contracts/types";
import { clientEnv, type OpenSshTarget, writeSshConfig } from "@cw/testing/openssh";
import ssh2 from "ssh2";
import { KNOWN_HOSTS_FILE } from "../commands/internal-ssh-bridge.ts";
import { configDir, ensureConfigDir } from "../config-dir.ts";
import { loadOrCreateBridgeHostKey } from "./host-key.ts";
import { fileKnownHosts } from "./known-hosts.ts";

/**
 * For tests and benches of the bridge: a stand-in for the API's `POST /v1/workspaces/{id}/ssh`,
 * and ssh configs whose ProxyCommand runs the built bridge (`buildCliBundle()` first).
 */
export const CLI_BUNDLE = fileURLToPath(new URL("../../dist/cw.js", import.meta.url));

/** Builds dist/ from the current source (what `pnpm --filter @cw/cli build` runs). */
export function buildCliBundle(): void {
  execFileSync(process.execPath, [fileURLToPath(new URL("../../scripts/build.mjs", import.meta.url))], {
    stdio: "inherit",
  });
}

/** The HostKeyAlias the local `ssh` pins the bridge's own host key under. */
export const BRIDGE_ALIAS = "cw-bridge";

export type CredentialsAnswer = { status: number; body: unknown };

/** The API's answer for credentials the gateway takes as `<vmId>:<token>`. */
export function sshCredentials(host: string, port: number, vmId: string, token: string): SshCredentials {
  const username = `${vmId}:${token}`;
  return {
    host,
    port,
    username,
    token,
    expiresAt: new Date(Date.now() + 15 * 60_000).toISOString(),
    command: `ssh ${username}@${host} -p ${port}`,
  };
}

/** Answers `POST /v1/workspaces/<id>/ssh` from `workspaces[id]()`; any other request 404. */
export async function serveSshCredentials(workspaces: Record<string, () => Promise<CredentialsAnswer>>) {
  const server = createServer((req, res) => {
    const id = /^\/v1\/workspaces\/([^/]+)\/ssh$/.exec(req.url ?? "")?.[1];
    const route = id && req.method === "POST" ? workspaces[decodeURIComponent(id)] : undefined;
    (route ? route() : Promise.resolve({ status: 404, body: {} }))
      .catch((e: Error) => ({ status: 500, body: { title: "test credentials failed", detail: e.message } }))
      .then(({ status, body }) => {
        res.writeHead(status, {
          "content-type": status < 400 ? "application/json" : "application/problem+json",
        });
        res.end(JSON.stringify(body));
      });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** cw's config directory under a test HOME, as the bridge started with that HOME finds it. */
export function bridgeConfigDir(home: string): string {
  return ensureConfigDir(configDir({ platform: process.platform, env: {}, home }));
}

function bridgeArgs(api: string, workspace: string): string[] {
  return [CLI_BUNDLE, "internal-ssh-bridge", "--api", api, "--workspace", workspace];
}

/**
 * A `Host` block as `cw config-ssh` will write it: the bridge as ProxyCommand, its host key
 * pinned under HostKeyAlias in cw's own known_hosts (the file that also pins the gateway), so
 * ssh never prompts.
 */
export async function bridgeTarget(
  home: string,
  host: string,
  api: string,
  workspace: string,
  env?: Record<string, string>,
): Promise<OpenSshTarget> {
  const dir = bridgeConfigDir(home);
  const { publicKey } = loadOrCreateBridgeHostKey(dir);
  const knownHosts = fileKnownHosts(join(dir, KNOWN_HOSTS_FILE));
  if (!(await knownHosts.lookup(BRIDGE_ALIAS)).includes(publicKey))
    await knownHosts.add(BRIDGE_ALIAS, publicKey);
  const target = writeSshConfig(home, host, [
    `ProxyCommand ${[process.execPath, ...bridgeArgs(api, workspace)].join(" ")}`,
    `HostKeyAlias ${BRIDGE_ALIAS}`,
    `UserKnownHostsFile ${knownHosts.location}`,
    "User cw",
  ]);
  return { ...target, env };
}

/** An ssh2 client through the built bridge, run as a child process with its stdio as the socket. */
export function connectThroughBridge(
  target: OpenSshTarget,
  api: string,
  workspace: string,
): Promise<ssh2.Client> {
  const child = spawn(process.execPath, bridgeArgs(api, workspace), {
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
      readyTimeout: 30_000,
    });
  });
}
