import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createGitFixture, type GitFixture } from "@cw/testing/node";
import { type OpenSshTarget, writeSshConfig } from "@cw/testing/openssh";
import { sshConformance } from "@cw/testing/ssh-conformance";
import { Freestyle } from "freestyle-sandboxes";
import ssh2 from "ssh2";
import { afterAll, beforeAll, describe } from "vitest";
import { startVmHost, type VmHost } from "../src/vm-host/index.ts";

const API_KEY = "openssh-test-key";

let tmp: string;
let host: VmHost;
let repo: GitFixture;
let vmId: string;
let username: string;
let openssh: OpenSshTarget;

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), "vm-host-openssh-"));
  const dataDir = join(tmp, "data");
  repo = createGitFixture(join(tmp, "git"));
  host = await startVmHost({ dataDir, apiKey: API_KEY });
  const freestyle = new Freestyle({ apiKey: API_KEY, baseUrl: host.url });
  ({ vmId } = await freestyle.vms.create({
    git: { repos: [{ repo: repo.bare, path: "/workspace", rev: "feature" }] },
    workdir: "/workspace",
  }));
  const { identity } = await freestyle.identities.create();
  await identity.permissions.vms.grant({ vmId });
  const { token } = await identity.tokens.create();
  username = `${vmId}:${token}`;

  const home = join(tmp, "home");
  mkdirSync(home);
  // Pinned from the host's key file, so StrictHostKeyChecking can stay on.
  const knownHosts = join(home, "known_hosts");
  const publicKey = readFileSync(join(dataDir, "ssh_host_ed25519_key.pub"), "utf8").trim();
  writeFileSync(knownHosts, `[${host.sshHost}]:${host.sshPort} ${publicKey}\n`);
  openssh = writeSshConfig(home, "vm", [
    `HostName ${host.sshHost}`,
    `Port ${host.sshPort}`,
    `User ${username}`,
    `UserKnownHostsFile ${knownHosts}`,
  ]);
});

afterAll(async () => {
  await host?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe("the VM host's SSH server with OpenSSH clients", () => {
  sshConformance(() => ({
    openssh,
    workdir: join(host.vmDir(vmId), "workspace"),
    head: repo.featureHead,
    connectSsh2: () =>
      new Promise((resolve, reject) => {
        const client = new ssh2.Client();
        client.once("ready", () => resolve(client)).once("error", reject);
        client.connect({ host: host.sshHost, port: host.sshPort, username, readyTimeout: 30_000 });
      }),
  }));
});
