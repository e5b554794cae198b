import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { sharedDatabase } from "./support/database.ts";
import { createRunning, type Org, setupOrg } from "./support/org.ts";
import { vmHost } from "./support/vm-host.ts";

let org: Org;

beforeAll(async () => {
  org = await setupOrg(sharedDatabase().env, "race");
});

afterEach(() => vmHost.clearFaults());

describe("concurrent transitions on one workspace", () => {
  it("pause + resume + delete at once: one acts, the others get 409, and the end state is consistent", async () => {
    const ws = await createRunning(org, "contended");
    // Slow every provider call down so the three requests overlap for certain.
    await vmHost.addFault({ path: `^/v1/vms/${ws.providerVmId}`, delayMs: 300 });
    await vmHost.clearCalls();

    const results = await Promise.all([
      org.api("POST", `/v1/workspaces/${ws.id}/pause`),
      org.api("POST", `/v1/workspaces/${ws.id}/resume`),
      org.api("DELETE", `/v1/workspaces/${ws.id}`),
    ]);
    const statuses = results.map((r) => r.status);
    const winners = statuses.filter((s) => s < 300);
    expect(winners).toHaveLength(1);
    for (const r of results.filter((r) => r.status >= 300)) {
      expect(r.status).toBe(409);
      expect(["/problems/operation-in-progress", "/problems/invalid-transition"]).toContain(r.body.type);
    }

    // Provider calls were serialized: exactly one lifecycle call reached the VM.
    const lifecycle = (await vmHost.calls()).filter(
      (c) =>
        new RegExp(`^/v1/vms/${ws.providerVmId}(/(suspend|start|stop))?$`).test(c.path) && c.method !== "GET",
    );
    expect(lifecycle).toHaveLength(1);

    const after = await org.api("GET", `/v1/workspaces/${ws.id}`);
    const vm = await vmHost.vm(ws.providerVmId);
    if (statuses[2] === 204) {
      expect(after.status).toBe(404);
      expect(vm.status).toBe(404);
    } else {
      expect(after.body).toMatchObject({ status: "paused", operation: null });
      expect(vm.body.state).toBe("suspended");
    }
  });

  it("two pauses at once: exactly one provider suspend", async () => {
    const ws = await createRunning(org, "double-pause");
    await vmHost.addFault({ path: `^/v1/vms/${ws.providerVmId}/suspend$`, delayMs: 200 });
    await vmHost.clearCalls();
    const results = await Promise.all([1, 2, 3].map(() => org.api("POST", `/v1/workspaces/${ws.id}/pause`)));
    expect(results.map((r) => r.status).sort()).toEqual([200, 409, 409]);
    const suspends = (await vmHost.calls()).filter((c) => c.path.endsWith("/suspend"));
    expect(suspends).toHaveLength(1);
    expect((await org.api("GET", `/v1/workspaces/${ws.id}`)).body.status).toBe("paused");
  });
});
