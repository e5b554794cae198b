import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ApiClient, createApiClient } from "@cw/contracts/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { git } from "../src/git-repo.ts";
import { startStack } from "../src/stack.ts";
import { sshExec } from "./support/ssh-exec.ts";

/**
 * The whole product as `pnpm dev` starts it — embedded PGlite, the worker under wrangler dev, the
 * local VM host — driven over HTTP with the API client a script (or `cw`) uses, with a real SSH
 * client into the workspace.
 */
let stack: Awaited<ReturnType<typeof startStack>>;
let api: ApiClient;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "cw-e2e-"));
  // Logs are kept and printed only if start-up fails, so a green run stays readable.
  const lines: string[] = [];
  try {
    stack = await startStack({
      dataDir,
      cronEveryMs: 3_600_000,
      log: (c) => (l) => lines.push(`[${c}] ${l}`),
    });
  } catch (err) {
    console.error(lines.join("\n"));
    throw err;
  }
  api = createApiClient({ baseUrl: stack.workerUrl, token: stack.token });
}, 180_000);

afterAll(async () => {
  await stack?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function waitForStatus(id: string, status: string, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ws = await api.getWorkspace(id);
    if (ws.status === status) return ws;
    if (Date.now() > deadline) throw new Error(`still ${ws.status}: ${ws.statusMessage}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe("local stack end to end", () => {
  it("create → running → SSH runs git in the checkout → pause → resume → stop → delete", async () => {
    const repos = await api.listRepositories();
    const demo = repos.items.find((r) => r.name === "demo");
    if (!demo) throw new Error("the stack seeds a demo repository");
    const bare = new URL(demo.cloneUrl).pathname;
    const featureHead = git(bare, "rev-parse", "refs/heads/feature");

    const created = await api.createWorkspace({ repositoryId: demo.id, name: "e2e", branch: "feature" });
    expect(created.status).toBe("provisioning");
    const ws = await waitForStatus(created.id, "running");
    const vmDir = stack.vmHost!.vmDir(ws.providerVmId!);
    expect(existsSync(join(vmDir, "workspace", ".git"))).toBe(true);

    const creds = await api.createSshCredentials(ws.id);
    const head = await sshExec(creds, "git rev-parse HEAD && git rev-parse --abbrev-ref HEAD");
    expect(head.code).toBe(0);
    expect(head.stdout.trim().split("\n")).toEqual([featureHead, "feature"]);

    expect((await api.pauseWorkspace(ws.id)).status).toBe("paused");
    expect((await api.resumeWorkspace(ws.id)).status).toBe("running");
    expect((await api.stopWorkspace(ws.id)).status).toBe("stopped");

    // Stopping revoked the SSH grant: the same credentials no longer get in.
    await expect(sshExec(creds, "true")).rejects.toThrow(/authentication/i);

    await expect(api.deleteWorkspace(ws.id)).resolves.toBeUndefined();
    await expect(api.getWorkspace(ws.id)).rejects.toMatchObject({ status: 404 });
    expect(existsSync(vmDir)).toBe(false);
  });

  it("runs the scheduled handler through the cron tick", async () => {
    const res = await fetch(`${stack.workerUrl}/__scheduled?cron=${encodeURIComponent("* * * * *")}`);
    expect(res.status).toBe(200);
  });
});
