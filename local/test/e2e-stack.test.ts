import { execFile } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { type ApiClient, createApiClient } from "@cw/contracts/client";
import { git, startTestStack, type TestStack, waitFor } from "@cw/testing/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../src/stack.ts";
import { sshExec } from "./support/ssh-exec.ts";

/**
 * The whole product as `pnpm dev` starts it — an embedded PostgreSQL, the worker under wrangler
 * dev, the local VM host — driven over HTTP with the API client a script (or `cw`) uses, with a
 * real SSH client into the workspace.
 */
let stack: TestStack;
let api: ApiClient;

beforeAll(async () => {
  stack = await startTestStack("cw-e2e-");
  api = createApiClient({ baseUrl: stack.workerUrl, token: stack.token });
}, 180_000);

afterAll(async () => {
  await stack?.stop();
});

const workspaceIn = (id: string, status: string) =>
  waitFor(`workspace ${id} ${status}`, async () => {
    const ws = await api.getWorkspace(id);
    return ws.status === status && ws;
  });

describe("local stack end to end", () => {
  it("create → running → SSH runs git in the checkout → pause → resume → stop → delete", async () => {
    const repos = await api.listRepositories();
    const demo = repos.items.find((r) => r.name === "demo");
    if (!demo) throw new Error("the stack seeds a demo repository");
    const bare = new URL(demo.cloneUrl).pathname;
    const featureHead = git(bare, "rev-parse", "refs/heads/feature");

    const created = await api.createWorkspace({ repositoryId: demo.id, name: "e2e", branch: "feature" });
    expect(created.status).toBe("provisioning");
    const ws = await workspaceIn(created.id, "running");
    const vmDir = stack.vmHost!.vmDir(ws.providerVmId!);
    expect(existsSync(join(vmDir, "workspace", ".git"))).toBe(true);

    const creds = await api.createSshCredentials(ws.id);
    const head = await sshExec(creds, "git rev-parse HEAD && git rev-parse --abbrev-ref HEAD");
    expect(head.code).toBe(0);
    expect(head.stdout.trim().split("\n")).toEqual([featureHead, "feature"]);

    expect((await api.pauseWorkspace(ws.id)).status).toBe("paused");
    expect((await api.resumeWorkspace(ws.id)).status).toBe("running");
    expect((await api.stopWorkspace(ws.id)).status).toBe("stopped");

    // Pausing (and stopping) revoked the SSH grant: the same credentials no longer get in.
    await expect(sshExec(creds, "true")).rejects.toThrow(/authentication/i);

    await expect(api.deleteWorkspace(ws.id)).resolves.toBeUndefined();
    await expect(api.getWorkspace(ws.id)).rejects.toMatchObject({ status: 404 });
    expect(existsSync(vmDir)).toBe(false);
  });

  it("runs the scheduled handler through the cron tick", async () => {
    const res = await fetch(`${stack.workerUrl}/__scheduled?cron=${encodeURIComponent("* * * * *")}`);
    expect(res.status).toBe(200);
  });

  it("gives the VM host a key of its own, known only to the worker's owner-only env file", async () => {
    const key = stack.vmHost!.apiKey;
    expect(key).not.toBe("local-vm-host-key");
    expect(key.length).toBeGreaterThanOrEqual(40);
    const envFile = join(stack.dataDir, "worker.env");
    expect(statSync(envFile).mode & 0o777).toBe(0o600);
    expect(readFileSync(envFile, "utf8")).toContain(`FREESTYLE_API_KEY=${JSON.stringify(key)}`);
    const list = (bearer: string) =>
      fetch(`${stack.vmHost!.url}/v1/vms`, { headers: { authorization: `Bearer ${bearer}` } });
    expect((await list("local-vm-host-key")).status).toBe(401);
    expect((await list(key)).status).toBe(200);
  });

  it("onboards an organization with `pnpm admin` on the running stack's database", async () => {
    const env = { ...process.env, CW_DATA_DIR: stack.dataDir, DATABASE_URL: "" };
    expect(statSync(join(stack.dataDir, "stack.json")).mode & 0o777).toBe(0o600);
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        "--import",
        "tsx",
        join(repoRoot, "db/src/admin-cli.ts"),
        "create-org",
        "--name",
        "Acme",
        "--email",
        "o@acme.test",
      ],
      { env, cwd: join(repoRoot, "db") },
    );
    const token = /^token\s+(\S+)$/m.exec(stdout)?.[1];
    expect(token).toMatch(/^cwk_/);
    const asAcme = await createApiClient({ baseUrl: stack.workerUrl, token: token! }).listRepositories();
    expect(asAcme).toEqual({ items: [] });
  });
});
