import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ApiClient, createApiClient } from "@cw/contracts/client";
import { git, startTestStack, type TestStack, waitFor } from "@cw/testing/node";
import { openSsh } from "@cw/testing/openssh";
import { afterAll, beforeAll, expect, it } from "vitest";
import { bridgeTarget } from "../src/ssh-bridge/testing.ts";

/**
 * The bridge against the real control plane (the local stack: worker, PostgreSQL, VM host), as the
 * README's ssh_config block runs it: `cw internal-ssh-bridge --api <worker> --workspace <id>` gets
 * its credentials from `POST /v1/workspaces/{id}/ssh` through the contract's client, with CW_TOKEN.
 */
let stack: TestStack;
let api: ApiClient;
let home: string;
let workspaceId: string;
let featureHead: string;

beforeAll(async () => {
  stack = await startTestStack("cw-bridge-stack-");
  api = createApiClient({ baseUrl: stack.workerUrl, token: stack.token });
  home = mkdtempSync(join(tmpdir(), "cw-bridge-stack-home-"));
  const demo = (await api.listRepositories()).items.find((r) => r.name === "demo");
  if (!demo) throw new Error("the stack seeds a demo repository");
  featureHead = git(new URL(demo.cloneUrl).pathname, "rev-parse", "refs/heads/feature");
  const created = await api.createWorkspace({ repositoryId: demo.id, name: "bridge", branch: "feature" });
  workspaceId = created.id;
  await waitFor("workspace running", async () => (await api.getWorkspace(workspaceId)).status === "running");
}, 180_000);

afterAll(async () => {
  await stack?.stop();
  if (home) rmSync(home, { recursive: true, force: true });
});

it("reaches the workspace's checkout with credentials from the API", async () => {
  const target = await bridgeTarget(home, "ws", stack.workerUrl, workspaceId, { CW_TOKEN: stack.token });
  const result = await openSsh(target).ssh([
    target.host,
    "git rev-parse HEAD && git rev-parse --abbrev-ref HEAD",
  ]);
  expect(result).toEqual({ stdout: `${featureHead}\nfeature\n`, stderr: "", code: 0 });
});

it("says in one line when the API refuses the token", async () => {
  const target = await bridgeTarget(home, "bad-token", stack.workerUrl, workspaceId, {
    CW_TOKEN: "cwk_wrong",
  });
  const result = await openSsh(target).ssh([target.host, "true"]);
  expect(result.code).toBe(255);
  expect(result.stderr).toMatch(/^cw: cannot get SSH credentials: [^\n]+\n$/);
});
