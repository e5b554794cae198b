import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { git } from "../src/git-repo.ts";
import { startStack } from "../src/stack.ts";
import { stackApi } from "../src/stack-api.ts";
import { sshExec } from "./support/ssh-exec.ts";

/**
 * The whole product as `pnpm dev` starts it — embedded PGlite, the worker under wrangler dev, the
 * local VM host — driven over HTTP like a script would, with a real SSH client into the workspace.
 */
let stack: Awaited<ReturnType<typeof startStack>>;
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
}, 180_000);

afterAll(async () => {
  await stack?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const api = (method: string, path: string, body?: unknown) =>
  stackApi(stack.workerUrl, stack.token).call(method, path, body);

async function waitForStatus(id: string, status: string, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await api("GET", `/v1/workspaces/${id}`);
    if (res.body.status === status) return res.body;
    if (Date.now() > deadline) throw new Error(`still ${res.body.status}: ${res.body.statusMessage}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe("local stack end to end", () => {
  it("create → running → SSH runs git in the checkout → pause → resume → stop → delete", async () => {
    const repos = await api("GET", "/v1/repositories");
    const demo = repos.body.items.find((r: { name: string }) => r.name === "demo");
    expect(demo).toBeDefined();
    const bare = new URL(demo.cloneUrl).pathname;
    const featureHead = git(bare, "rev-parse", "refs/heads/feature");

    const created = await api("POST", "/v1/workspaces", {
      repositoryId: demo.id,
      name: "e2e",
      branch: "feature",
    });
    expect(created.status).toBe(202);
    expect(created.body.status).toBe("provisioning");
    const ws = await waitForStatus(created.body.id, "running");
    const vmDir = stack.vmHost!.vmDir(ws.providerVmId);
    expect(existsSync(join(vmDir, "workspace", ".git"))).toBe(true);

    const creds = await api("POST", `/v1/workspaces/${ws.id}/ssh`);
    expect(creds.status).toBe(200);
    const head = await sshExec(creds.body, "git rev-parse HEAD && git rev-parse --abbrev-ref HEAD");
    expect(head.code).toBe(0);
    expect(head.stdout.trim().split("\n")).toEqual([featureHead, "feature"]);

    expect((await api("POST", `/v1/workspaces/${ws.id}/pause`)).body.status).toBe("paused");
    expect((await api("POST", `/v1/workspaces/${ws.id}/resume`)).body.status).toBe("running");
    expect((await api("POST", `/v1/workspaces/${ws.id}/stop`)).body.status).toBe("stopped");

    // Stopping revoked the SSH grant: the same credentials no longer get in.
    await expect(sshExec(creds.body, "true")).rejects.toThrow(/authentication/i);

    expect((await api("DELETE", `/v1/workspaces/${ws.id}`)).status).toBe(204);
    expect((await api("GET", `/v1/workspaces/${ws.id}`)).status).toBe(404);
    expect(existsSync(vmDir)).toBe(false);
  });

  it("runs the scheduled handler through the cron tick", async () => {
    const res = await fetch(`${stack.workerUrl}/__scheduled?cron=${encodeURIComponent("* * * * *")}`);
    expect(res.status).toBe(200);
  });
});
