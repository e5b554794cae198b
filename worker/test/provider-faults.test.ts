import { env } from "cloudflare:test";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../src/config.ts";
import { providerFactory } from "../src/providers/index.ts";
import { apiClient } from "./support/api.ts";
import { sharedDatabase } from "./support/database.ts";
import { createRunning, type Org, settled, setupOrg } from "./support/org.ts";
import { vmHost } from "./support/vm-host.ts";

let bindings: Record<string, string>;
let org: Org;

beforeAll(async () => {
  // A short deadline so the timeout cases stay fast.
  // Request-path calls get a short deadline here; creates run in the provisioner object, whose
  // deadline is the project's binding (PROVIDER_CREATE_TIMEOUT_MS in vitest.config.mts).
  bindings = { ...sharedDatabase().env, PROVIDER_TIMEOUT_MS: "400" };
  org = await setupOrg(bindings, "faults");
});

afterEach(() => vmHost.clearFaults());

const create = (name: string) =>
  org.api("POST", "/v1/workspaces", { repositoryId: org.repositoryId, name, branch: "main" });

describe("provider faults become workspaces in error, never 500s", () => {
  it("create answered with 500 → error with the provider's words", async () => {
    await vmHost.addFault({
      method: "POST",
      path: "^/v1/vms$",
      status: 500,
      code: "INTERNAL_ERROR",
      message: "disk on fire",
      times: 1,
    });
    const res = await create("boom");
    expect(res.status).toBe(202);
    const ws = await settled(org, res.body.id);
    expect(ws).toMatchObject({
      status: "error",
      providerVmId: null,
      operation: null,
      allowedActions: ["delete"],
    });
    expect(ws.statusMessage).toContain("disk on fire");
    expect((await org.api("DELETE", `/v1/workspaces/${ws.id}`)).status).toBe(204);
  });

  it("create past its deadline → error saying so", async () => {
    await vmHost.addFault({ method: "POST", path: "^/v1/vms$", delayMs: 4500, times: 1 });
    const res = await create("slow");
    const ws = await settled(org, res.body.id);
    expect(ws.status).toBe("error");
    expect(ws.statusMessage).toMatch(/did not answer create within 3000 ms/);
  });

  it("an account without persistent VMs → error naming that", async () => {
    await vmHost.addFault({
      method: "POST",
      path: "^/v1/vms$",
      status: 403,
      code: "PERSISTENT_VMS_NOT_ALLOWED",
      message: "plan",
      times: 1,
    });
    const ws = await settled(org, (await create("sticky")).body.id);
    expect(ws.status).toBe("error");
    expect(ws.statusMessage).toMatch(/does not allow persistent VMs/);
  });

  it("an unknown VM state → error quoting it", async () => {
    const ws = await createRunning(org, "weird");
    const provider = providerFactory(parseConfig({ ...env, ...bindings }))("freestyle");
    await vmHost.overrideState(ws.providerVmId, "hibernating");
    expect(await provider.status(ws.providerVmId)).toEqual({
      status: "error",
      raw: "hibernating",
      message: 'Freestyle reported an unknown VM state "hibernating"',
    });
    await vmHost.overrideState(ws.providerVmId, "suspended");
    expect((await provider.status(ws.providerVmId)).status).toBe("paused");
    await vmHost.overrideState(ws.providerVmId, null);
  });

  it("pause answered with 500 → 502 problem and the workspace in error, recoverable by resume", async () => {
    const ws = await createRunning(org, "pause-fails");
    await vmHost.addFault({
      path: `^/v1/vms/${ws.providerVmId}/suspend$`,
      status: 500,
      code: "SUSPEND_FAILED_AND_STOPPED",
      message: "nope",
      times: 1,
    });
    const res = await org.api("POST", `/v1/workspaces/${ws.id}/pause`);
    expect(res.status).toBe(502);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(res.body.workspace).toMatchObject({ status: "error", operation: null });
    expect(res.body.detail).toContain("SUSPEND_FAILED_AND_STOPPED");
    const resumed = await org.api("POST", `/v1/workspaces/${ws.id}/resume`);
    expect(resumed.body.status).toBe("running");
  });

  it("stop that times out → 502 and error, with the lock released", async () => {
    const ws = await createRunning(org, "stop-hangs");
    await vmHost.addFault({ path: `^/v1/vms/${ws.providerVmId}/stop$`, delayMs: 1200, times: 1 });
    const res = await org.api("POST", `/v1/workspaces/${ws.id}/stop`);
    expect(res.status).toBe(502);
    expect(res.body.detail).toMatch(/within 400 ms/);
    const after = (await org.api("GET", `/v1/workspaces/${ws.id}`)).body;
    expect(after).toMatchObject({ status: "error", operation: null });
    expect(after.allowedActions).toEqual(["resume", "stop", "delete"]);
  });

  it("delete of a VM the provider no longer has → 204", async () => {
    const ws = await createRunning(org, "vanished");
    await vmHost.addFault({
      method: "DELETE",
      path: `^/v1/vms/${ws.providerVmId}$`,
      status: 404,
      code: "VM_NOT_FOUND",
      message: "gone",
      times: 1,
    });
    expect((await org.api("DELETE", `/v1/workspaces/${ws.id}`)).status).toBe(204);
    expect((await org.api("GET", `/v1/workspaces/${ws.id}`)).status).toBe(404);
  });

  it("delete failing at the provider keeps the row, in error", async () => {
    const ws = await createRunning(org, "undeletable");
    await vmHost.addFault({
      method: "DELETE",
      path: `^/v1/vms/${ws.providerVmId}$`,
      status: 500,
      code: "INTERNAL_ERROR",
      message: "later",
      times: 1,
    });
    const res = await org.api("DELETE", `/v1/workspaces/${ws.id}`);
    expect(res.status).toBe(502);
    expect((await org.api("GET", `/v1/workspaces/${ws.id}`)).body.status).toBe("error");
    expect((await org.api("DELETE", `/v1/workspaces/${ws.id}`)).status).toBe(204);
  });

  it("a misconfigured worker answers a problem naming the variable, not a stack", async () => {
    const res = await apiClient({ ...bindings, FREESTYLE_API_KEY: "" }, org.token)("GET", "/v1/workspaces");
    expect(res.status).toBe(500);
    expect(res.body).toMatchObject({ type: "/problems/misconfigured" });
    expect(res.body.detail).toContain("FREESTYLE_API_KEY");
  });
});
