import { schema } from "@cw/db";
import { eq, sql } from "drizzle-orm";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { openDb, sharedDatabase } from "./support/database.ts";
import { createRunning, type Org, setupOrg } from "./support/org.ts";
import { tick } from "./support/tick.ts";
import { vmHost } from "./support/vm-host.ts";

let org: Org;
const bindings = () => sharedDatabase().env;
const ws = schema.cloudWorkspaces;

beforeAll(async () => {
  org = await setupOrg(bindings(), "cron");
});

afterEach(() => vmHost.clearFaults());

async function row(id: string) {
  const db = openDb(bindings());
  try {
    const [r] = await db.db.select().from(ws).where(eq(ws.id, id));
    return r!;
  } finally {
    await db.close();
  }
}

async function update(id: string, set: Partial<typeof ws.$inferInsert>) {
  const db = openDb(bindings());
  try {
    await db.db.update(ws).set(set).where(eq(ws.id, id));
  } finally {
    await db.close();
  }
}

/** A workspace row straight in the database, as a crashed create would have left it. */
async function insertProvisioning(fields: Partial<typeof ws.$inferInsert>) {
  const db = openDb(bindings());
  try {
    const [r] = await db.db
      .insert(ws)
      .values({
        organizationId: org.organizationId,
        repositoryId: org.repositoryId,
        creatorId: org.userId,
        name: "crashed",
        branch: "main",
        status: "provisioning",
        ...fields,
      })
      .returning();
    return r!;
  } finally {
    await db.close();
  }
}

const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000);

describe("reconcile", () => {
  it("completes provisioning once the provider reports the VM running", async () => {
    const vmId = await vmHost.createVm("main");
    await vmHost.overrideState(vmId, "starting");
    const w = await insertProvisioning({ providerVmId: vmId });
    await tick(bindings());
    expect((await row(w.id)).status).toBe("provisioning");
    await vmHost.overrideState(vmId, null);
    await tick(bindings());
    expect(await row(w.id)).toMatchObject({ status: "running", operation: null });
  });

  it("puts provisioning past its deadline in error with the reason", async () => {
    const w = await insertProvisioning({ createdAt: minutesAgo(11) });
    await tick(bindings());
    const r = await row(w.id);
    expect(r.status).toBe("error");
    expect(r.statusMessage).toMatch(/did not finish within 10 minutes: the VM was never created/);
  });

  it("leaves young provisioning alone", async () => {
    const w = await insertProvisioning({ createdAt: minutesAgo(2) });
    await tick(bindings());
    expect((await row(w.id)).status).toBe("provisioning");
  });

  it("repairs drift: a VM suspended by the provider, and one that vanished", async () => {
    const suspended = await createRunning(org, "drift-suspended");
    const vanished = await createRunning(org, "drift-vanished");
    await fetch(`${(await import("vitest")).inject("vmHost").url}/v1/vms/${suspended.providerVmId}/suspend`, {
      method: "POST",
      headers: { authorization: "Bearer test-key" },
    });
    await vmHost.deleteVm(vanished.providerVmId);
    // Make them the least recently checked, so this tick's drift batch includes them.
    await update(suspended.id, { statusCheckedAt: new Date(0) });
    await update(vanished.id, { statusCheckedAt: new Date(0) });
    await tick(bindings());
    expect(await row(suspended.id)).toMatchObject({
      status: "paused",
      statusMessage: "the provider reports the VM suspended",
    });
    expect(await row(vanished.id)).toMatchObject({
      status: "error",
      statusMessage: "the VM no longer exists at the provider",
    });
  });
});

describe("idle auto-stop", () => {
  it("pauses an idle workspace at the provider and records why and when", async () => {
    const w = await createRunning(org, "idle");
    await update(w.id, { lastActiveAt: minutesAgo(31) });
    expect((await row(w.id)).autoStopAt!.getTime()).toBeLessThan(Date.now());
    await tick(bindings());
    const r = await row(w.id);
    expect(r).toMatchObject({
      status: "paused",
      statusMessage: "auto-paused after 30 minutes without activity",
      autoStopAt: null,
    });
    expect(r.autoStoppedAt).not.toBeNull();
    expect((await vmHost.vm(w.providerVmId)).body.state).toBe("suspended");
  });

  it("stops instead when the workspace says so", async () => {
    const w = await createRunning(org, "idle-stop");
    await org.api("PATCH", `/v1/workspaces/${w.id}`, { autoStopAction: "stop", autoStopMinutes: 5 });
    await update(w.id, { lastActiveAt: minutesAgo(6) });
    await tick(bindings());
    expect((await row(w.id)).status).toBe("stopped");
    expect((await vmHost.vm(w.providerVmId)).body.state).toBe("stopped");
  });

  it("never stops a workspace with a live session, even when the mirror says nobody is there", async () => {
    const w = await createRunning(org, "busy");
    await org.api("POST", `/v1/workspaces/${w.id}/sessions`, { clientType: "desktop" });
    // The Postgres mirror claims nobody is connected and activity is old; the object knows better.
    await update(w.id, { lastActiveAt: minutesAgo(120), connectedCount: 0 });
    expect((await row(w.id)).autoStopAt).not.toBeNull();
    await tick(bindings());
    expect(await row(w.id)).toMatchObject({ status: "running", operation: null });
    expect((await vmHost.vm(w.providerVmId)).body.state).toBe("running");
  });

  it("does not act on autoStopMinutes 0", async () => {
    const w = await createRunning(org, "forever");
    await org.api("PATCH", `/v1/workspaces/${w.id}`, { autoStopMinutes: 0 });
    await update(w.id, { lastActiveAt: minutesAgo(10_000) });
    await tick(bindings());
    expect((await row(w.id)).status).toBe("running");
  });

  it("two overlapping ticks make exactly one provider call", async () => {
    const w = await createRunning(org, "race");
    await update(w.id, { lastActiveAt: minutesAgo(31) });
    await vmHost.addFault({ path: `^/v1/vms/${w.providerVmId}/suspend$`, delayMs: 300 });
    await vmHost.clearCalls();
    await Promise.all([tick(bindings()), tick(bindings())]);
    const suspends = (await vmHost.calls()).filter((c) => c.path === `/v1/vms/${w.providerVmId}/suspend`);
    expect(suspends).toHaveLength(1);
    expect((await row(w.id)).status).toBe("paused");
  });

  it("a heartbeat pushes autoStopAt out", async () => {
    const w = await createRunning(org, "pushed");
    const { sessionId } = (
      await org.api("POST", `/v1/workspaces/${w.id}/sessions`, { clientType: "desktop" })
    ).body;
    await org.api("DELETE", `/v1/workspaces/${w.id}/sessions/${sessionId}`);
    const before = (await org.api("GET", `/v1/workspaces/${w.id}`)).body.autoStopAt;
    await update(w.id, { lastActiveAt: minutesAgo(20) });
    const aged = (await org.api("GET", `/v1/workspaces/${w.id}`)).body.autoStopAt;
    expect(Date.parse(aged)).toBeLessThan(Date.parse(before));
    await org.api("POST", `/v1/workspaces/${w.id}/sessions`, { clientType: "desktop" });
    expect((await org.api("GET", `/v1/workspaces/${w.id}`)).body.autoStopAt).toBeNull();
  });
});

describe("sync change log", () => {
  it("compacts entries older than the retention window, and only those", async () => {
    const db = openDb(bindings());
    const old = crypto.randomUUID();
    const recent = crypto.randomUUID();
    try {
      await db.db.execute(sql`
        insert into shape_log (shape, organization_id, row_id, operation, created_at) values
          ('workspaces', ${org.organizationId}, ${old}, 'update', now() - interval '8 days'),
          ('workspaces', ${org.organizationId}, ${recent}, 'update', now() - interval '1 day')`);
    } finally {
      await db.close();
    }
    await tick(bindings());
    const check = openDb(bindings());
    try {
      const { rows } = await check.db.execute<{ row_id: string }>(
        sql`select row_id from shape_log where row_id in (${old}, ${recent})`,
      );
      expect(rows.map((r) => r.row_id)).toEqual([recent]);
    } finally {
      await check.close();
    }
  });
});
