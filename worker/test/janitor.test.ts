import { env, runInDurableObject } from "cloudflare:test";
import { schema } from "@cw/db";
import { waitFor } from "@cw/testing";
import { eq } from "drizzle-orm";
import { afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { parseConfig } from "../src/config.ts";
import { openDeps } from "../src/deps-factory.ts";
import { VM_TAG_PATH } from "../src/domain/vm-tag.ts";
import { janitorJob } from "../src/jobs/janitor.ts";
import { providerFactory } from "../src/providers/index.ts";
import { deploymentId } from "../src/services/deployment.ts";
import { openDb, sharedDatabase } from "./support/database.ts";
import { createRunning, type Org, settled, setupOrg } from "./support/org.ts";
import { tick } from "./support/tick.ts";
import { vmHost } from "./support/vm-host.ts";

/**
 * VMs nobody knows about, made the two ways the issue found: a create that outlived its deadline,
 * and a worker that died between the provider's create and recording the VM. Every VM is tagged
 * with its workspace and this deployment (the database's own id); the janitor adopts or deletes
 * only VMs so tagged.
 */
let org: Org;
let deployment: string;
const bindings = () => sharedDatabase().env;
const GRACE_MS = 30 * 60_000;

const provider = () => providerFactory(parseConfig({ ...env, ...bindings() }))("freestyle");

beforeAll(async () => {
  org = await setupOrg(bindings(), "janitor");
  const db = openDb(bindings());
  deployment = await deploymentId(db.db);
  await db.close();
});

afterEach(() => vmHost.clearFaults());

/** A VM made as the provisioner makes one, tagged for `workspaceId` of `forDeployment`. */
async function taggedVm(workspaceId: string, forDeployment = deployment) {
  const { vmId } = await provider().create({
    workspaceName: "orphan",
    files: {},
    tag: { deployment: forDeployment, workspaceId, createdAt: new Date().toISOString() },
  });
  return vmId;
}

/** One janitor run as the cron would make it at `at`, reading every tag (the tests' host has many VMs). */
async function janitorAt(at: number) {
  const { deps, close } = openDeps({ ...env, ...bindings() }, () => new Date(at));
  try {
    return await janitorJob(deps, { tagReads: 100_000 });
  } finally {
    await close();
  }
}

const exists = async (vmId: string) => (await vmHost.vm(vmId)).status === 200;

async function row(id: string) {
  const db = openDb(bindings());
  try {
    return (
      (await db.db.select().from(schema.cloudWorkspaces).where(eq(schema.cloudWorkspaces.id, id)))[0] ?? null
    );
  } finally {
    await db.close();
  }
}

describe("the janitor", () => {
  it("deletes the VM of a create that outlived its deadline, once past the grace period", async () => {
    await vmHost.clearCalls();
    // The provider answers after our deadline (3 s in the tests), but makes the VM all the same.
    await vmHost.addFault({ method: "POST", path: "^/v1/vms$", delayMs: 4500, times: 1 });
    const res = await org.api("POST", "/v1/workspaces", {
      repositoryId: org.repositoryId,
      name: "late",
      branch: "main",
    });
    const ws = await settled(org, res.body.id);
    expect(ws).toMatchObject({ status: "error", providerVmId: null });
    expect(ws.statusMessage).toMatch(/did not answer create within/);

    // The VM the provider made anyway, found by its tag.
    const vmId = await waitFor(
      "the late VM to exist",
      async () => {
        const since = Date.now() - 120_000;
        for (const vm of await provider().list()) {
          if (!vm.createdAt || vm.createdAt.getTime() < since) continue;
          if ((await provider().readTag(vm.vmId))?.workspaceId === ws.id) return vm.vmId;
        }
        return null;
      },
      30_000,
      200,
    );
    const made = (await vmHost.calls()).find((c) => c.method === "POST" && c.path === "/v1/vms");
    expect(JSON.stringify(made?.body)).toContain(VM_TAG_PATH);

    expect((await janitorAt(Date.now())).deleted).toBe(0);
    expect(await exists(vmId)).toBe(true);
    const later = await janitorAt(Date.now() + GRACE_MS + 60_000);
    expect(later.deleted).toBeGreaterThanOrEqual(1);
    expect(await exists(vmId)).toBe(false);
    expect(await row(ws.id)).toMatchObject({ status: "error", providerVmId: null });
  });

  it("adopts the VM of a create whose run died before recording it, and the retry settles it running", async () => {
    const db = openDb(bindings());
    const [creating] = await db.db
      .insert(schema.cloudWorkspaces)
      .values({
        organizationId: org.organizationId,
        repositoryId: org.repositoryId,
        creatorId: org.userId,
        name: "restarted",
        branch: "main",
        status: "provisioning",
        operation: "create",
        operationStartedAt: new Date(),
      })
      .returning();
    await db.close();
    // The provider made the VM; the worker died before writing its id down.
    const vmId = await taggedVm(creating!.id);

    await tick(bindings()); // the real scheduled handler, janitor included
    expect(await row(creating!.id)).toMatchObject({ providerVmId: vmId, status: "provisioning" });

    // The provisioner's alarm runs again after the restart: it settles from the recorded VM.
    const ns = env.WORKSPACE_PROVISIONER;
    const stub = ns.get(ns.idFromName(creating!.id));
    await runInDurableObject(stub, async (instance, state) => {
      state.storage.sql.exec("insert into job values (?, ?, 1)", creating!.id, inject("gitRepo").cloneUrl);
      await instance.alarm();
    });
    expect(await row(creating!.id)).toMatchObject({ status: "running", operation: null, providerVmId: vmId });
    expect(await exists(vmId)).toBe(true);
  });

  it("deletes a VM whose workspace is gone, and never one that is not this deployment's", async () => {
    const gone = await taggedVm(crypto.randomUUID());
    const foreign = await taggedVm(crypto.randomUUID(), crypto.randomUUID());
    const untagged = await vmHost.createVm("main");

    expect((await janitorAt(Date.now())).deleted).toBe(0);
    expect(await exists(gone)).toBe(true);

    await janitorAt(Date.now() + 24 * 3600_000);
    expect(await exists(gone)).toBe(false);
    expect(await exists(foreign)).toBe(true);
    expect(await exists(untagged)).toBe(true);
    await vmHost.deleteVm(foreign);
    await vmHost.deleteVm(untagged);
  });

  it("leaves VMs that workspaces point to alone, whatever their tags say", async () => {
    const ws = await createRunning(org, "known", "main");
    expect(ws.status).toBe("running");
    await janitorAt(Date.now() + 24 * 3600_000);
    expect(await exists(ws.providerVmId)).toBe(true);
    expect((await org.api("GET", `/v1/workspaces/${ws.id}`)).body.status).toBe("running");
  });
});
