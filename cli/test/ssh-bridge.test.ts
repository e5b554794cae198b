import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startVmHost, type VmHost } from "@cw/local/vm-host/index";
import { createGitFixture, type GitFixture } from "@cw/testing/node";
import { openSsh, startSsh } from "@cw/testing/openssh";
import { sshConformance } from "@cw/testing/ssh-conformance";
import { Freestyle } from "freestyle-sandboxes";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KNOWN_HOSTS_FILE } from "../src/commands/internal-ssh-bridge.ts";
import { BRIDGE_HOST_KEY_FILE, loadOrCreateBridgeHostKey } from "../src/ssh-bridge/host-key.ts";
import { knownHostName, knownHostsLine } from "../src/ssh-bridge/known-hosts.ts";
import {
  bridgeConfigDir,
  bridgeTarget,
  type CredentialsAnswer,
  connectThroughBridge,
  serveSshCredentials,
  sshCredentials,
} from "../src/ssh-bridge/testing.ts";

const API_KEY = "bridge-test-key";

let tmp: string;
let host: VmHost;
let freestyle: Freestyle;
let repo: GitFixture;
let vmId: string;
let api: Awaited<ReturnType<typeof serveSshCredentials>>;
let issued = 0;

/** What the control plane does for `POST /v1/workspaces/{id}/ssh` (worker/src/providers/freestyle.ts). */
async function issue(targetVmId = vmId) {
  issued++;
  const { identity } = await freestyle.identities.create();
  await identity.permissions.vms.grant({ vmId: targetVmId });
  const { token, tokenId } = await identity.tokens.create();
  return { identity, tokenId, creds: sshCredentials(host.sshHost, host.sshPort, targetVmId, token) };
}

const ok = (body: unknown): CredentialsAnswer => ({ status: 200, body });

function newHome(name: string): string {
  const home = join(tmp, name);
  mkdirSync(home);
  return home;
}

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), "cw-ssh-bridge-"));
  repo = createGitFixture(join(tmp, "git"));
  host = await startVmHost({ dataDir: join(tmp, "vm-host"), apiKey: API_KEY });
  freestyle = new Freestyle({ apiKey: API_KEY, baseUrl: host.url });
  ({ vmId } = await freestyle.vms.create({
    git: { repos: [{ repo: repo.bare, path: "/workspace", rev: "feature" }] },
    workdir: "/workspace",
  }));
  api = await serveSshCredentials({
    workspace: async () => ok((await issue()).creds),
    "not-found": async () => ({
      status: 404,
      body: { type: "about:blank", title: "Not Found", status: 404, detail: "workspace not found" },
    }),
    revoked: async () => {
      const { identity, tokenId, creds } = await issue();
      await identity.tokens.revoke({ tokenId });
      return ok(creds);
    },
    "nothing-listening": async () => ok(sshCredentials("127.0.0.1", 1, "x", "y")),
  });
});

afterAll(async () => {
  await api?.close();
  await host?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe("the SSH bridge with OpenSSH clients", () => {
  let home: string;
  let target: Awaited<ReturnType<typeof bridgeTarget>>;
  beforeAll(async () => {
    home = newHome("conformance");
    target = await bridgeTarget(home, "ws", api.url, "workspace");
  });

  sshConformance(() => ({
    openssh: target,
    workdir: join(host.vmDir(vmId), "workspace"),
    head: repo.featureHead,
    connectSsh2: () => connectThroughBridge(target, api.url, "workspace"),
  }));

  it("answers the local ssh's keepalives while a command runs", async () => {
    const quiet = await openSsh(target).ssh([
      "-o",
      "ServerAliveInterval=1",
      "-o",
      "ServerAliveCountMax=1",
      target.host,
      "sleep 3; echo still-here",
    ]);
    expect(quiet).toMatchObject({ stdout: "still-here\n", code: 0 });
  });

  it("keeps its host key owner-only and the same across runs, and pins the gateway's key", async () => {
    const dir = bridgeConfigDir(home);
    const keyFile = join(dir, BRIDGE_HOST_KEY_FILE);
    const before = readFileSync(keyFile, "utf8");
    const issuedBefore = issued;
    expect((await openSsh(target).ssh([target.host, "true"])).code).toBe(0);
    expect(issued).toBe(issuedBefore + 1);
    expect(readFileSync(keyFile, "utf8")).toBe(before);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const gatewayKey = readFileSync(join(tmp, "vm-host", "ssh_host_ed25519_key.pub"), "utf8").split(" ");
    const pins = readFileSync(join(dir, KNOWN_HOSTS_FILE), "utf8");
    expect(pins).toContain(
      `${knownHostName(host.sshHost, host.sshPort)} ${gatewayKey[0]} ${gatewayKey[1]}\n`,
    );
  });
});

describe("the SSH bridge says in one line why it cannot connect", () => {
  async function failure(route: string, prepare?: (home: string) => void) {
    const home = newHome(`fail-${route}`);
    const target = await bridgeTarget(home, "ws", api.url, route);
    prepare?.(home);
    const result = await openSsh(target).ssh([target.host, "echo should-not-run"]);
    expect(result.code).toBe(255);
    expect(result.stdout).toBe("");
    // With `LogLevel ERROR` (as `cw config-ssh` writes it) ssh adds nothing of its own.
    return result.stderr.split(/\r?\n/).filter((line) => line !== "");
  }

  it("when the control plane refuses credentials", async () => {
    expect(await failure("not-found")).toEqual(["cw: cannot get SSH credentials: workspace not found"]);
  });

  it("when the gateway refuses them", async () => {
    expect(await failure("revoked")).toEqual([
      `cw: the workspace's SSH gateway at ${knownHostName(host.sshHost, host.sshPort)} refused the credentials (expired or revoked?)`,
    ]);
  });

  it("when nothing answers at the gateway's address", async () => {
    expect(await failure("nothing-listening")).toEqual([
      "cw: cannot reach the workspace's SSH gateway at [127.0.0.1]:1: connect ECONNREFUSED 127.0.0.1:1",
    ]);
  });

  it("when the gateway's host key is not the pinned one", async () => {
    const lines = await failure("workspace", (home) => {
      const dir = bridgeConfigDir(home);
      // The bridge's own key stands in for "some other key" pinned for the gateway.
      const other = loadOrCreateBridgeHostKey(dir).publicKey;
      appendFileSync(
        join(dir, KNOWN_HOSTS_FILE),
        knownHostsLine(knownHostName(host.sshHost, host.sshPort), other),
      );
    });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^cw: the SSH host key of \[127\.0\.0\.1\]:\d+ has changed; refusing to connect/,
    );
  });

  it("when the workspace goes away under an open connection", async () => {
    const home = newHome("stopped");
    const { vmId: doomedId } = await freestyle.vms.create({});
    const routes = await serveSshCredentials({ doomed: async () => ok((await issue(doomedId)).creds) });
    try {
      const target = await bridgeTarget(home, "doomed", routes.url, "doomed");
      const session = startSsh(target, [target.host, "echo connected; exec sleep 600"]);
      await session.waitFor(/connected/);
      await freestyle.vms.ref({ vmId: doomedId }).stop();
      const { code, stderr } = await session.done();
      expect(code).toBe(255);
      const [first, ...rest] = stderr.split(/\r?\n/).filter((l) => l !== "");
      expect(first).toBe("cw: the workspace closed the SSH connection");
      // Mid-session, ssh may add its usual line about the connection, depending on what it saw first.
      expect(rest.join("\n")).toMatch(/^(|Connection to doomed closed by remote host\.)$/);
    } finally {
      await routes.close();
    }
  });
});
