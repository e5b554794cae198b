import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { schema } from "@cw/db";
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { openDb, sharedDatabase } from "./support/database.ts";
import { type Org, settled, setupOrg } from "./support/org.ts";
import { vmHost } from "./support/vm-host.ts";

let org: Org;
const bindings = () => sharedDatabase().env;
const ns = () => env.WORKSPACE_PROVISIONER;
const stubFor = (id: string) => ns().get(ns().idFromName(id));

beforeAll(async () => {
  org = await setupOrg(bindings(), "prov");
});

/** A workspace row in provisioning holding the create lock, as the create route leaves it. */
async function insertCreating(providerVmId: string | null = null) {
  const db = openDb(bindings());
  try {
    const [row] = await db.db
      .insert(schema.cloudWorkspaces)
      .values({
        organizationId: org.organizationId,
        repositoryId: org.repositoryId,
        creatorId: org.userId,
        name: "interrupted",
        branch: "main",
        status: "provisioning",
        operation: "create",
        operationStartedAt: new Date(),
        providerVmId,
      })
      .returning();
    return row!;
  } finally {
    await db.close();
  }
}

const creates = async () =>
  (await vmHost.calls()).filter((c) => c.method === "POST" && c.path === "/v1/vms").length;

describe("workspace provisioner", () => {
  it("creates the VM from its alarm, once, however often start is called", async () => {
    const row = await insertCreating();
    await vmHost.clearCalls();
    const stub = stubFor(row.id);
    await stub.start(row.id, inject("gitRepo").cloneUrl);
    await stub.start(row.id, inject("gitRepo").cloneUrl);
    const ws = await settled(org, row.id);
    expect(ws).toMatchObject({ status: "running", operation: null });
    expect(await creates()).toBe(1);
  });

  it("never creates a second VM when an interrupted attempt's alarm runs again", async () => {
    const row = await insertCreating();
    const stub = stubFor(row.id);
    // As a run that died after recording its attempt would have left the object.
    await runInDurableObject(stub, async (_instance, state) => {
      state.storage.sql.exec("insert into job values (?, ?, 1)", row.id, inject("gitRepo").cloneUrl);
    });
    await vmHost.clearCalls();
    expect(await runDurableObjectAlarm(stub)).toBe(false); // no alarm was set: run it by hand
    await runInDurableObject(stub, (instance) => instance.alarm());
    expect(await creates()).toBe(0);
    const ws = await settled(org, row.id);
    expect(ws.status).toBe("error");
    expect(ws.statusMessage).toMatch(/interrupted/);
  });

  it("settles an interrupted attempt from the provider when the VM id was recorded", async () => {
    const vmId = await vmHost.createVm("main");
    const row = await insertCreating(vmId);
    const stub = stubFor(row.id);
    await runInDurableObject(stub, async (instance, state) => {
      state.storage.sql.exec("insert into job values (?, ?, 1)", row.id, inject("gitRepo").cloneUrl);
      await instance.alarm();
    });
    const db = openDb(bindings());
    const [after] = await db.db
      .select()
      .from(schema.cloudWorkspaces)
      .where(eq(schema.cloudWorkspaces.id, row.id));
    await db.close();
    expect(after).toMatchObject({ status: "running", operation: null, providerVmId: vmId });
  });
});
