import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createGitFixture, type GitFixture } from "@cw/testing/node";
import { Freestyle, type Vm } from "freestyle-sandboxes";
import ssh2, { type ClientChannel } from "ssh2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startVmHost, type VmHost } from "../src/vm-host/index.ts";
import { procState, waitFor } from "./support/processes.ts";

const API_KEY = "ssh-test-key";

let tmp: string;
let dataDir: string;
let repo: GitFixture;
let host: VmHost;
let fs: Freestyle;
let vm: Vm;
let vmId: string;
let token: string;
const openClients = new Set<ssh2.Client>();

async function boot(): Promise<void> {
  host = await startVmHost({ dataDir, apiKey: API_KEY, control: true });
  fs = new Freestyle({ apiKey: API_KEY, baseUrl: host.url });
}

interface Login {
  username: string;
  password?: string;
}

/** Resolves with the connected client, or rejects with the client's error (e.g. auth failure). */
function connect(login: Login, onHostKey?: (key: Buffer) => void): Promise<ssh2.Client> {
  return new Promise((resolve, reject) => {
    const client = new ssh2.Client();
    openClients.add(client);
    client.on("close", () => openClients.delete(client));
    client.once("ready", () => resolve(client));
    client.once("error", reject);
    client.connect({
      host: host.sshHost,
      port: host.sshPort,
      username: login.username,
      password: login.password,
      readyTimeout: 5000,
      hostVerifier: (key: Buffer) => {
        onHostKey?.(key);
        return true;
      },
    });
  });
}

async function refused(login: Login): Promise<boolean> {
  try {
    const c = await connect(login);
    c.end();
    return false;
  } catch (e) {
    return /authentication methods failed/i.test((e as Error).message);
  }
}

function run(
  client: ssh2.Client,
  command: string,
): Promise<{ stdout: string; stderr: string; code: number }> {
  return new Promise((resolve, reject) => {
    client.exec(command, (err, stream) => {
      if (err) return reject(err);
      let stdout = "";
      let stderr = "";
      let code = -1;
      stream.on("data", (d: Buffer) => {
        stdout += d.toString();
      });
      stream.stderr.on("data", (d: Buffer) => {
        stderr += d.toString();
      });
      stream.on("exit", (c: number) => {
        code = c;
      });
      stream.on("close", () => resolve({ stdout, stderr, code }));
    });
  });
}

function openShell(client: ssh2.Client, cols = 100, rows = 30): Promise<ClientChannel> {
  return new Promise((resolve, reject) => {
    client.shell({ term: "xterm-256color", cols, rows }, (err, stream) =>
      err ? reject(err) : resolve(stream),
    );
  });
}

/** Accumulates a shell's output and waits for a pattern in what arrived since the last wait. */
function shellReader(stream: ClientChannel) {
  let buffer = "";
  stream.on("data", (d: Buffer) => {
    buffer += d.toString();
  });
  return async (pattern: RegExp, timeoutMs = 5000): Promise<RegExpMatchArray> => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const m = buffer.match(pattern);
      if (m) {
        buffer = buffer.slice((m.index ?? 0) + m[0].length);
        return m;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`timed out waiting for ${pattern}; got: ${JSON.stringify(buffer)}`);
  };
}

async function grantToken(targetVmId: string, allowedUsers?: string[]) {
  const { identity, identityId } = await fs.identities.create();
  await identity.permissions.vms.grant({ vmId: targetVmId, allowedUsers });
  const { token: t, tokenId } = await identity.tokens.create();
  return { identity, identityId, token: t, tokenId };
}

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), "vm-host-ssh-test-"));
  dataDir = join(tmp, "data");
  repo = createGitFixture(join(tmp, "git"));
  await boot();
  const created = await fs.vms.create({
    git: { repos: [{ repo: repo.bare, path: "/workspace", rev: "feature" }] },
    workdir: "/workspace",
    persistence: { type: "persistent" },
  });
  vm = created.vm;
  vmId = created.vmId;
  token = (await grantToken(vmId)).token;
});

afterAll(async () => {
  for (const c of openClients) c.end();
  await host?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe("SSH gateway", () => {
  it("runs exec over `<vmId>:<token>` (auth method none) in the VM's workdir", async () => {
    const client = await connect({ username: `${vmId}:${token}` });
    const head = await run(client, "git rev-parse HEAD");
    expect(head).toEqual({ stdout: `${repo.featureHead}\n`, stderr: "", code: 0 });
    const failing = await run(client, "echo oops >&2; exit 3");
    expect(failing).toEqual({ stdout: "", stderr: "oops\n", code: 3 });
    expect((await run(client, 'printf "%s %s" "$PWD" "$HOME"')).stdout).toBe(
      `${join(host.vmDir(vmId), "workspace")} ${join(host.vmDir(vmId), "root")}`,
    );
    client.end();
  });

  it("gives an interactive PTY shell that echoes typed commands and follows resizes", async () => {
    const client = await connect({ username: `${vmId}:${token}` });
    const shell = await openShell(client, 100, 30);
    const read = shellReader(shell);
    shell.write("echo result=$((6*7)) term=$TERM\n");
    await read(/result=42 term=xterm-256color/);
    // Outputs are spelled differently from the echoed command line so only real output matches.
    shell.write('echo "size=$(stty size)"\n');
    await read(/size=30 100/);
    shell.setWindow(40, 120, 0, 0);
    shell.write('echo "size=$(stty size)"\n');
    await read(/size=40 120/);
    client.end();
  });

  it("accepts the token as a password for username `<vmId>`", async () => {
    const client = await connect({ username: vmId, password: token });
    expect((await run(client, "echo pw-ok")).stdout).toBe("pw-ok\n");
    client.end();
  });

  it("enforces allowedUsers for `<vmId>+<user>:<token>`", async () => {
    const limited = await grantToken(vmId, ["dev"]);
    const client = await connect({ username: `${vmId}+dev:${limited.token}` });
    expect((await run(client, 'printf %s "$USER"')).stdout).toBe("dev");
    client.end();
    expect(await refused({ username: `${vmId}:${limited.token}` })).toBe(true);
    expect(await refused({ username: `${vmId}+ops:${limited.token}` })).toBe(true);
    // No allowedUsers list means any user.
    const any = await connect({ username: `${vmId}+ops:${token}` });
    any.end();
  });

  it("refuses wrong tokens, other VMs, revoked tokens and deleted identities", async () => {
    expect(await refused({ username: `${vmId}:not-a-token` })).toBe(true);
    expect(await refused({ username: vmId, password: "not-a-token" })).toBe(true);
    expect(await refused({ username: `${vmId}` })).toBe(true);

    const other = await fs.vms.create({});
    expect(await refused({ username: `${other.vmId}:${token}` })).toBe(true);

    const revokable = await grantToken(vmId);
    (await connect({ username: `${vmId}:${revokable.token}` })).end();
    await revokable.identity.tokens.revoke({ tokenId: revokable.tokenId });
    expect(await refused({ username: `${vmId}:${revokable.token}` })).toBe(true);

    const deletable = await grantToken(vmId);
    (await connect({ username: `${vmId}:${deletable.token}` })).end();
    await fs.identities.delete({ identityId: deletable.identityId });
    expect(await refused({ username: `${vmId}:${deletable.token}` })).toBe(true);

    const ungranted = await grantToken(vmId);
    await ungranted.identity.permissions.vms.revoke({ vmId });
    expect(await refused({ username: `${vmId}:${ungranted.token}` })).toBe(true);
  });

  it.each([
    [
      "its token is revoked",
      (g: Awaited<ReturnType<typeof grantToken>>) => g.identity.tokens.revoke({ tokenId: g.tokenId }),
    ],
    [
      "its identity is deleted",
      (g: Awaited<ReturnType<typeof grantToken>>) => fs.identities.delete({ identityId: g.identityId }),
    ],
    [
      "its VM permission is revoked",
      (g: Awaited<ReturnType<typeof grantToken>>) => g.identity.permissions.vms.revoke({ vmId }),
    ],
  ])("hangs up a live connection when %s, leaving other logins alone", async (_what, revoke) => {
    const grant = await grantToken(vmId);
    const client = await connect({ username: `${vmId}:${grant.token}` });
    const shell = await openShell(client);
    const read = shellReader(shell);
    shell.write("echo sh=$$\n");
    const sh = Number((await read(/sh=(\d+)/))[1]);
    const bystander = await connect({ username: `${vmId}:${token}` });
    const closed = new Promise<void>((resolve) => client.once("close", () => resolve()));
    await revoke(grant);
    await closed;
    // The session it started ends with it; another login's connection is untouched.
    expect(await waitFor(() => procState(sh) === "", 5000)).toBe(true);
    expect((await run(bystander, "echo still-here")).stdout).toBe("still-here\n");
    bystander.end();
  });

  it("freezes processes started over SSH on suspend and resumes them on start or login", async () => {
    const client = await connect({ username: `${vmId}:${token}` });
    const shell = await openShell(client);
    const read = shellReader(shell);
    // A background job gets its own process group under job control, so this checks that
    // suspension reaches the whole session, not just the shell's group.
    shell.write("sleep 300 & echo bg=$!; echo sh=$$\n");
    const bg = Number((await read(/bg=(\d+)/))[1]);
    const sh = Number((await read(/sh=(\d+)/))[1]);
    expect(procState(bg)).toMatch(/^S/);

    await vm.suspend();
    expect((await vm.getInfo()).state).toBe("suspended");
    expect(await waitFor(() => procState(bg).startsWith("T") && procState(sh).startsWith("T"), 1000)).toBe(
      true,
    );

    await vm.start();
    expect(await waitFor(() => procState(bg).startsWith("S") && procState(sh).startsWith("S"), 1000)).toBe(
      true,
    );
    shell.write("echo still-$((1+1))\n");
    await read(/still-2/);

    await vm.suspend();
    expect(await waitFor(() => procState(bg).startsWith("T"), 1000)).toBe(true);
    const second = await connect({ username: `${vmId}:${token}` });
    expect((await vm.getInfo()).state).toBe("running");
    expect(procState(bg)).toMatch(/^S/);
    second.end();

    client.end();
    // Closing the channel ends its session, background job included.
    expect(await waitFor(() => procState(bg) === "" && procState(sh) === "", 3000)).toBe(true);
  });

  it("counts SSH traffic as activity for the idle timeout", async () => {
    const { vm: idleVm, vmId: idleId } = await fs.vms.create({ idleTimeoutSeconds: 1 });
    const t = (await grantToken(idleId)).token;
    const client = await connect({ username: `${idleId}:${t}` });
    const shell = await openShell(client);
    const read = shellReader(shell);
    const seen = new Set<string>();
    for (let i = 0; i < 6; i++) {
      // Polled before typing, because typing into a suspended VM would wake it again.
      seen.add((await idleVm.getInfo()).state);
      shell.write(`echo tick-$((${i}+100))\n`);
      await read(new RegExp(`tick-${i + 100}`));
      await new Promise((r) => setTimeout(r, 400));
    }
    expect([...seen]).toEqual(["running"]);
    expect(await waitFor(async () => (await idleVm.getInfo()).state === "suspended", 5000)).toBe(true);
    // Typing into the frozen shell wakes the VM, like traffic reaching a suspended Freestyle VM.
    shell.write("echo wo$((1))ke\n");
    await read(/wo1ke/);
    expect((await idleVm.getInfo()).state).toBe("running");
    client.end();
  });

  it("stop closes SSH connections and refuses logins until started", async () => {
    const client = await connect({ username: `${vmId}:${token}` });
    const closed = new Promise<void>((resolve) => client.once("close", () => resolve()));
    await vm.stop();
    await expect(
      Promise.race([closed.then(() => "closed"), new Promise((r) => setTimeout(() => r("open"), 3000))]),
    ).resolves.toBe("closed");
    expect(await refused({ username: `${vmId}:${token}` })).toBe(true);
    await vm.start();
    (await connect({ username: `${vmId}:${token}` })).end();
  });

  it("keeps the host key and accepted tokens across a restart", async () => {
    const fingerprint = (key: Buffer) => createHash("sha256").update(key).digest("base64");
    let before = "";
    (await connect({ username: `${vmId}:${token}` }, (k) => (before = fingerprint(k)))).end();

    await host.close();
    await boot();

    let after = "";
    const client = await connect({ username: `${vmId}:${token}` }, (k) => (after = fingerprint(k)));
    expect(after).toBe(before);
    expect((await run(client, "git rev-parse HEAD")).stdout.trim()).toBe(repo.featureHead);
    client.end();
  });

  it("delete closes SSH connections and removes the VM", async () => {
    const client = await connect({ username: `${vmId}:${token}` });
    const closed = new Promise<void>((resolve) => client.once("close", () => resolve()));
    await fs.vms.delete({ vmId });
    await closed;
    expect(await refused({ username: `${vmId}:${token}` })).toBe(true);
  });
});
