import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { controlClient, createGitFixture, type GitFixture } from "@cw/testing/node";
import { Errors, Freestyle } from "freestyle-sandboxes";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startVmHost, type VmHost } from "../src/vm-host/index.ts";
import { EXEC_OUTPUT_MAX_BYTES } from "../src/vm-host/vm-spawn.ts";
import { procState, waitFor } from "./support/processes.ts";

const API_KEY = "local-test-key";

let tmp: string;
let dataDir: string;
let repo: GitFixture;
let host: VmHost;
let fs: Freestyle;
let control: ReturnType<typeof controlClient>;

async function boot(): Promise<void> {
  host = await startVmHost({ dataDir, apiKey: API_KEY, control: true });
  fs = new Freestyle({ apiKey: API_KEY, baseUrl: host.url });
  control = controlClient(host.url);
}

async function createRepoVm(rev = "feature") {
  return fs.vms.create({
    git: { repos: [{ repo: repo.bare, path: "/workspace", rev }] },
    workdir: "/workspace",
    persistence: { type: "persistent" },
  });
}

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), "vm-host-test-"));
  dataDir = join(tmp, "data");
  repo = createGitFixture(join(tmp, "git"));
  await boot();
});

afterAll(async () => {
  await host?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe("VM creation and git clone", () => {
  it("clones the requested branch into the VM path and runs exec in the workdir", async () => {
    const before = await fs.vms.list();
    const { vmId, vm, domains } = await createRepoVm();
    expect(vmId).toMatch(/^[a-z0-9]{20}$/);
    expect(domains).toEqual([]);

    const head = await vm.exec("git rev-parse HEAD");
    expect(head.statusCode).toBe(0);
    expect(head.stdout?.trim()).toBe(repo.featureHead);
    expect((await vm.exec("git rev-parse --abbrev-ref HEAD")).stdout?.trim()).toBe("feature");
    expect((await vm.exec("pwd")).stdout?.trim()).toBe(join(host.vmDir(vmId), "workspace"));
    // root's home, as on Freestyle: the VM's /root.
    expect((await vm.exec('printf %s "$HOME"')).stdout).toBe(join(host.vmDir(vmId), "root"));
    expect(readFileSync(join(host.vmDir(vmId), "workspace", "feature.txt"), "utf8")).toBe("feature work\n");

    const info = await vm.getInfo();
    expect(info.id).toBe(vmId);
    expect(info.state).toBe("running");

    const after = await fs.vms.list();
    expect(after.totalCount).toBe(before.totalCount + 1);
    expect(after.runningCount).toBe(before.runningCount + 1);
    expect(after.vms.find((v) => v.id === vmId)?.state).toBe("running");
  });

  it("clones a commit sha, a tag and the default branch (deprecated gitRepos too)", async () => {
    const { vm } = await fs.vms.create({
      gitRepos: [
        { repo: repo.bare, path: "/by-sha", rev: repo.mainHead },
        { repo: repo.bare, path: "/by-tag", rev: repo.tag },
      ],
      git: { repos: [{ repo: repo.bare, path: "/default" }] },
    });
    const heads = await vm.exec(
      // The default workdir is /root, so `..` is the VM's root here.
      "for d in /by-sha /by-tag /default; do git -C ..$d rev-parse HEAD; done; pwd; basename $(pwd)",
    );
    expect(heads.stdout?.trim().split("\n")).toEqual([
      repo.mainHead,
      repo.mainHead,
      repo.mainHead,
      expect.stringMatching(/\/root$/),
      "root",
    ]);
  });

  it("rejects a missing branch with git's error and leaves nothing behind", async () => {
    const before = await fs.vms.list();
    const err = await createRepoVm("no-such-branch").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Errors.InvalidGitRepoSpecErrorError);
    expect((err as Error).message).toContain("no-such-branch");
    const after = await fs.vms.list();
    expect(after.totalCount).toBe(before.totalCount);
  });

  it("writes additionalFiles into the VM and reads them back through the files API, as Freestyle does", async () => {
    const tag = JSON.stringify({ workspace: "w1" });
    const { vmId, vm } = await fs.vms.create({
      additionalFiles: {
        "/etc/cloud-workspaces/tag.json": { content: tag },
        "/opt/run.sh": {
          content: Buffer.from("#!/bin/sh\necho ran\n").toString("base64"),
          encoding: "base64",
          executable: true,
        },
        "/../../escape.txt": { content: "stays inside" },
      },
    });
    expect(await vm.fs.readTextFile("/etc/cloud-workspaces/tag.json")).toBe(tag);
    expect((await vm.exec("../opt/run.sh")).stdout).toBe("ran\n");
    expect(await vm.fs.readDir("/etc/cloud-workspaces")).toEqual([{ name: "tag.json", kind: "file" }]);
    // Paths are the VM's: `..` cannot climb out of its root.
    expect(existsSync(join(host.vmDir(vmId), "escape.txt"))).toBe(true);
    await expect(vm.fs.readTextFile("/etc/nothing-here")).rejects.toBeInstanceOf(Errors.FileNotFoundError);
    const listed = (await fs.vms.list()).vms.find((v: { id: string }) => v.id === vmId);
    expect(Date.parse(listed!.createdAt!)).toBeGreaterThan(Date.now() - 60_000);
  });

  it("answers an unknown VM with the SDK's VmNotFoundError", async () => {
    const ghost = fs.vms.ref({ vmId: "aaaaaaaaaaaaaaaaaaaa" });
    await expect(ghost.getInfo()).rejects.toBeInstanceOf(Errors.VmNotFoundError);
    await expect(ghost.exec("true")).rejects.toBeInstanceOf(Errors.VmNotFoundError);
    await expect(fs.vms.delete({ vmId: "aaaaaaaaaaaaaaaaaaaa" })).rejects.toBeInstanceOf(
      Errors.VmNotFoundError,
    );
  });

  it("rejects a wrong or missing bearer with 401 UNAUTHORIZED", async () => {
    const wrong = new Freestyle({ apiKey: "not-the-key", baseUrl: host.url });
    await expect(wrong.vms.list()).rejects.toBeInstanceOf(Errors.UnauthorizedError);
    const res = await fetch(`${host.url}/v1/vms`);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ code: "UNAUTHORIZED", error: "UNAUTHORIZED" });
  });
});

describe("exec and lifecycle", () => {
  it("returns stdout, stderr and the exit status; timeoutMs kills the command", async () => {
    const { vm } = await fs.vms.create({});
    const r = await vm.exec("echo out; echo err >&2; exit 7");
    expect(r).toEqual({ stdout: "out\n", stderr: "err\n", statusCode: 7 });

    const started = Date.now();
    const slow = await vm.exec({ command: "echo $$; sleep 30", timeoutMs: 300 });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(slow.statusCode).toBeNull();
    const pid = Number(slow.stdout?.trim());
    expect(pid).toBeGreaterThan(0);
    expect(await waitFor(() => procState(pid) === "", 2000)).toBe(true);
  });

  it("keeps at most EXEC_OUTPUT_MAX_BYTES of each stream, and the command still runs to its end", async () => {
    const { vm } = await fs.vms.create({});
    const r = await vm.exec("head -c 3000000 /dev/zero | tr '\\0' y; echo done >&2");
    expect(r.statusCode).toBe(0);
    expect(r.stdout).toHaveLength(EXEC_OUTPUT_MAX_BYTES);
    expect(r.stdout).toMatch(/^y+$/);
    expect(r.stderr).toBe("done\n");
  });

  it("suspend freezes the VM's processes, start and exec resume them", async () => {
    const { vm } = await fs.vms.create({});
    const bg = await vm.exec("sleep 300 >/dev/null 2>&1 & echo $!");
    const pid = Number(bg.stdout?.trim());
    expect(procState(pid)).toMatch(/^S/);

    const suspended = await vm.suspend();
    expect(suspended.id).toBe(vm.vmId);
    expect(typeof suspended.snapshotLayerId).toBe("string");
    expect((await vm.getInfo()).state).toBe("suspended");
    expect(await waitFor(() => procState(pid).startsWith("T"), 1000)).toBe(true);

    expect(await vm.start()).toMatchObject({ id: vm.vmId, domains: [] });
    expect((await vm.getInfo()).state).toBe("running");
    expect(await waitFor(() => procState(pid).startsWith("S"), 1000)).toBe(true);

    await vm.suspend();
    expect(await waitFor(() => procState(pid).startsWith("T"), 1000)).toBe(true);
    expect((await vm.exec("echo awake")).stdout).toBe("awake\n");
    expect((await vm.getInfo()).state).toBe("running");
    expect(procState(pid)).toMatch(/^S/);
  });

  it("stop kills processes and refuses exec until started again", async () => {
    const { vm } = await fs.vms.create({});
    const pid = Number((await vm.exec("sleep 300 >/dev/null 2>&1 & echo $!")).stdout?.trim());
    await vm.suspend();
    const stopped = await vm.stop();
    expect(stopped.vmId).toBe(vm.vmId);
    expect(procState(pid)).toBe("");
    expect((await vm.getInfo()).state).toBe("stopped");
    expect((await fs.vms.list()).vms.find((v) => v.id === vm.vmId)?.state).toBe("stopped");
    await expect(vm.exec("true")).rejects.toBeInstanceOf(Errors.VmNotRunningError);

    await vm.start();
    expect((await vm.exec("echo back")).stdout).toBe("back\n");
    expect(await vm.kill()).toEqual({ id: vm.vmId });
    expect((await vm.getInfo()).state).toBe("stopped");
  });

  it("delete removes the VM directory and forgets the VM", async () => {
    const { vm, vmId } = await createRepoVm();
    const pid = Number((await vm.exec("sleep 300 >/dev/null 2>&1 & echo $!")).stdout?.trim());
    expect(existsSync(join(host.vmDir(vmId), "workspace", ".git"))).toBe(true);
    expect(await vm.delete()).toEqual({ id: vmId });
    expect(existsSync(host.vmDir(vmId))).toBe(false);
    expect(procState(pid)).toBe("");
    await expect(vm.getInfo()).rejects.toBeInstanceOf(Errors.VmNotFoundError);
    expect((await fs.vms.list()).vms.some((v) => v.id === vmId)).toBe(false);
  });

  it("suspends a VM after idleTimeoutSeconds without activity", async () => {
    const { vm } = await fs.vms.create({ idleTimeoutSeconds: 1 });
    expect((await vm.getInfo()).state).toBe("running");
    const suspended = await waitFor(async () => (await vm.getInfo()).state === "suspended", 5000);
    expect(suspended).toBe(true);
  });

  it("never idle-suspends a VM created with idleTimeoutSeconds: null", async () => {
    const { vm } = await fs.vms.create({ idleTimeoutSeconds: null });
    await new Promise((r) => setTimeout(r, 2200));
    expect((await vm.getInfo()).state).toBe("running");
  });
});

describe("identities API", () => {
  it("manages identities, VM permissions and tokens with Freestyle's shapes and errors", async () => {
    const { vmId } = await fs.vms.create({});
    const { identity, identityId } = await fs.identities.create();
    expect((await fs.identities.list()).identities).toContainEqual({ id: identityId, managed: false });

    await expect(identity.permissions.vms.get({ vmId })).rejects.toBeInstanceOf(
      Errors.VmPermissionNotFoundError,
    );
    await expect(identity.permissions.vms.grant({ vmId: "bbbbbbbbbbbbbbbbbbbb" })).rejects.toBeInstanceOf(
      Errors.VmNotFoundError,
    );
    const granted = await identity.permissions.vms.grant({ vmId, allowedUsers: ["dev"] });
    expect(granted).toMatchObject({ vmId, identityId, allowedUsers: ["dev"], grantedBy: expect.any(String) });
    expect(Number.isNaN(Date.parse(granted.grantedAt))).toBe(false);
    const updated = await identity.permissions.vms.update({ vmId, allowedUsers: ["dev", "ops"] });
    expect(updated.allowedUsers).toEqual(["dev", "ops"]);
    expect((await identity.permissions.vms.list()).permissions.map((p) => p.vmId)).toEqual([vmId]);

    const { tokenId, token } = await identity.tokens.create();
    expect(token).toMatch(/^[A-Za-z0-9_-]{32,}$/);
    expect((await identity.tokens.list()).tokens).toEqual([{ id: tokenId }]);
    await identity.tokens.revoke({ tokenId });
    expect((await identity.tokens.list()).tokens).toEqual([]);

    expect(await identity.permissions.vms.revoke({ vmId })).toEqual({});
    await expect(identity.permissions.vms.get({ vmId })).rejects.toBeInstanceOf(
      Errors.VmPermissionNotFoundError,
    );

    await fs.identities.delete({ identityId });
    await expect(identity.tokens.list()).rejects.toBeInstanceOf(Errors.IdentityNotFoundError);
    await expect(fs.identities.delete({ identityId })).rejects.toBeInstanceOf(Errors.IdentityNotFoundError);
  });
});

describe("control routes", () => {
  it("injects status faults, honouring times", async () => {
    const { vm } = await fs.vms.create({});
    await control.addFault({ method: "GET", path: `^/v1/vms/${vm.vmId}$`, status: 500, times: 1 });
    await expect(vm.getInfo()).rejects.toBeInstanceOf(Errors.InternalErrorError);
    expect((await vm.getInfo()).state).toBe("running");

    await control.addFault({
      path: "/exec-await$",
      status: 404,
      code: "VM_NOT_FOUND",
      message: "gone",
      times: 2,
    });
    await expect(vm.exec("true")).rejects.toBeInstanceOf(Errors.VmNotFoundError);
    await expect(vm.exec("true")).rejects.toThrow("VM_NOT_FOUND: gone");
    expect((await vm.exec("echo ok")).stdout).toBe("ok\n");
  });

  it("injects delays and clears faults", async () => {
    await control.addFault({ method: "GET", path: "^/v1/vms$", delayMs: 400 });
    let started = Date.now();
    await fs.vms.list();
    expect(Date.now() - started).toBeGreaterThanOrEqual(380);
    await control.clearFaults();
    started = Date.now();
    await fs.vms.list();
    expect(Date.now() - started).toBeLessThan(380);
  });

  it("overrides the reported state with any raw string", async () => {
    const { vm } = await fs.vms.create({});
    await control.setVmState(vm.vmId, "hibernating");
    expect((await vm.getInfo()).state as string).toBe("hibernating");
    expect((await fs.vms.list()).vms.find((v) => v.id === vm.vmId)?.state as string).toBe("hibernating");
    await control.setVmState(vm.vmId, null);
    expect((await vm.getInfo()).state).toBe("running");
  });

  it("records API calls (not control calls) and clears the log", async () => {
    const { vm } = await fs.vms.create({ idleTimeoutSeconds: 60 });
    await control.clearCalls();
    await vm.getInfo();
    await fs.vms
      .ref({ vmId: "cccccccccccccccccccc" })
      .getInfo()
      .catch(() => undefined);
    await vm.exec("true");
    const calls = await control.calls();
    expect(calls.map(({ method, path, status }) => ({ method, path, status }))).toEqual([
      { method: "GET", path: `/v1/vms/${vm.vmId}`, status: 200 },
      { method: "GET", path: "/v1/vms/cccccccccccccccccccc", status: 404 },
      { method: "POST", path: `/v1/vms/${vm.vmId}/exec-await`, status: 200 },
    ]);
    expect(calls[2]?.body).toEqual({ command: "true", terminal: null, timeoutMs: null });
    expect(Number.isNaN(Date.parse(calls[0]?.at ?? ""))).toBe(false);
    await control.clearCalls();
    expect(await control.calls()).toEqual([]);
  });

  it("keeps control routes off unless enabled", async () => {
    const plain = await startVmHost({ dataDir: join(tmp, "plain"), apiKey: API_KEY });
    try {
      const res = await fetch(`${plain.url}/__control/calls`);
      expect(res.status).toBe(404);
    } finally {
      await plain.close();
    }
  });
});

describe("persistence", () => {
  it("keeps VMs, identities, grants and tokens across a restart", async () => {
    const { vm, vmId } = await createRepoVm();
    const stopped = (await fs.vms.create({})).vm;
    await stopped.stop();
    const { identity, identityId } = await fs.identities.create();
    await identity.permissions.vms.grant({ vmId });
    const { tokenId } = await identity.tokens.create();
    await vm.suspend();

    await host.close();
    const state = JSON.parse(readFileSync(join(dataDir, "state.json"), "utf8"));
    expect(state.vms.map((v: { id: string }) => v.id)).toContain(vmId);
    await boot();

    expect((await fs.vms.ref({ vmId }).getInfo()).state).toBe("running");
    expect((await fs.vms.ref({ vmId: stopped.vmId }).getInfo()).state).toBe("stopped");
    const again = fs.vms.ref({ vmId });
    expect((await again.exec("git rev-parse HEAD")).stdout?.trim()).toBe(repo.featureHead);
    const sameIdentity = fs.identities.ref({ identityId });
    expect((await sameIdentity.tokens.list()).tokens).toEqual([{ id: tokenId }]);
    expect((await sameIdentity.permissions.vms.get({ vmId })).vmId).toBe(vmId);
  });
});
