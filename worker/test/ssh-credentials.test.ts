import {
  createExecutionContext,
  createScheduledController,
  env,
  waitOnExecutionContext,
} from "cloudflare:test";
import { schema } from "@cw/db";
import { eq } from "drizzle-orm";
import { afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import worker from "../src/index.ts";
import { openDb, sharedDatabase } from "./support/database.ts";
import { createRunning, type Org, setupOrg } from "./support/org.ts";
import { tick } from "./support/tick.ts";
import { vmHost } from "./support/vm-host.ts";

let bindings: { DATABASE_URL: string; DATABASE_WS_PROXY: string };
let org: Org;

beforeAll(async () => {
  bindings = sharedDatabase().env;
  org = await setupOrg(bindings, "ssh");
});

afterEach(() => vmHost.clearFaults());

/** The VM host's identity API, as Freestyle's: is this token still accepted for the VM? */
async function tokenIsLive(identityId: string, tokenId: string) {
  const res = await fetch(`${inject("vmHost").url}/identity/v1/identities/${identityId}/tokens`, {
    headers: { authorization: "Bearer test-key" },
  });
  if (res.status === 404) return false;
  const body = (await res.json()) as { tokens: { id: string }[] };
  return body.tokens.some((t) => t.id === tokenId);
}

async function grantsOf(workspaceId: string) {
  const db = openDb(bindings);
  try {
    return await db.db.select().from(schema.sshGrants).where(eq(schema.sshGrants.workspaceId, workspaceId));
  } finally {
    await db.close();
  }
}

describe("POST /v1/workspaces/{id}/ssh", () => {
  it("hands out gateway credentials in Freestyle's form and records the grant", async () => {
    const ws = await createRunning(org, "shell");
    const before = Date.now();
    const res = await org.api("POST", `/v1/workspaces/${ws.id}/ssh`);
    expect(res.status).toBe(200);
    const { host, port, username, token, expiresAt, command } = res.body;
    expect({ host, port }).toEqual({ host: inject("vmHost").sshHost, port: inject("vmHost").sshPort });
    expect(username).toBe(`${ws.providerVmId}:${token}`);
    expect(command).toBe(`ssh ${username}@${host} -p ${port}`);
    const ttl = Date.parse(expiresAt) - before;
    expect(ttl).toBeGreaterThan(890_000);
    expect(ttl).toBeLessThan(910_000);

    const [grant] = await grantsOf(ws.id);
    expect(grant).toMatchObject({ providerVmId: ws.providerVmId, revokedAt: null });
    expect(await tokenIsLive(grant!.providerIdentityId, grant!.providerTokenId)).toBe(true);
  });

  it("is refused with 409 unless running", async () => {
    const ws = await createRunning(org, "paused-shell");
    await org.api("POST", `/v1/workspaces/${ws.id}/pause`);
    const res = await org.api("POST", `/v1/workspaces/${ws.id}/ssh`);
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ type: "/problems/not-running", status: 409, workspaceStatus: "paused" });
    expect(await grantsOf(ws.id)).toEqual([]);
  });

  it("revokes every grant when the workspace stops", async () => {
    const ws = await createRunning(org, "stop-revokes");
    await org.api("POST", `/v1/workspaces/${ws.id}/ssh`);
    await org.api("POST", `/v1/workspaces/${ws.id}/ssh`);
    await org.api("POST", `/v1/workspaces/${ws.id}/stop`);
    const grants = await grantsOf(ws.id);
    expect(grants).toHaveLength(2);
    for (const g of grants) {
      expect(g.revokedAt).not.toBeNull();
      expect(await tokenIsLive(g.providerIdentityId, g.providerTokenId)).toBe(false);
    }
  });

  it("revokes the grant when the workspace is deleted", async () => {
    const ws = await createRunning(org, "delete-revokes");
    await org.api("POST", `/v1/workspaces/${ws.id}/ssh`);
    const [grant] = await grantsOf(ws.id);
    await org.api("DELETE", `/v1/workspaces/${ws.id}`);
    expect((await grantsOf(ws.id))[0]!.revokedAt).not.toBeNull();
    expect(await tokenIsLive(grant!.providerIdentityId, grant!.providerTokenId)).toBe(false);
  });

  it("revokes expired grants from the scheduled handler, and only those", async () => {
    const ws = await createRunning(org, "expiry");
    await org.api("POST", `/v1/workspaces/${ws.id}/ssh`);
    await org.api("POST", `/v1/workspaces/${ws.id}/ssh`);
    const [old, fresh] = await grantsOf(ws.id);
    const db = openDb(bindings);
    await db.db
      .update(schema.sshGrants)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(schema.sshGrants.id, old!.id));
    await db.close();

    const ctx = createExecutionContext();
    await worker.scheduled(
      createScheduledController({ scheduledTime: Date.now(), cron: "* * * * *" }),
      { ...env, ...bindings },
      ctx,
    );
    await waitOnExecutionContext(ctx);

    const after = await grantsOf(ws.id);
    expect(after.find((g) => g.id === old!.id)!.revokedAt).not.toBeNull();
    expect(after.find((g) => g.id === fresh!.id)!.revokedAt).toBeNull();
    expect(await tokenIsLive(old!.providerIdentityId, old!.providerTokenId)).toBe(false);
    expect(await tokenIsLive(fresh!.providerIdentityId, fresh!.providerTokenId)).toBe(true);
  });

  it("revokes every grant when the workspace pauses", async () => {
    const ws = await createRunning(org, "pause-revokes");
    await org.api("POST", `/v1/workspaces/${ws.id}/ssh`);
    expect((await org.api("POST", `/v1/workspaces/${ws.id}/pause`)).status).toBe(200);
    const [grant] = await grantsOf(ws.id);
    expect(grant!.revokedAt).not.toBeNull();
    expect(await tokenIsLive(grant!.providerIdentityId, grant!.providerTokenId)).toBe(false);
    expect(await vmHost.identitiesOn(ws.providerVmId)).toBe(0);
  });

  it("asks for the permission and the token together; either failing leaves no identity behind", async () => {
    const ws = await createRunning(org, "grant-fails");
    const permissionPath = `/permissions/vm/${ws.providerVmId}$`;
    const tokenPath = "^/identity/v1/identities/[^/]+/tokens$";
    for (const [failing, slow] of [
      [tokenPath, permissionPath],
      [permissionPath, tokenPath],
    ] as const) {
      await vmHost.clearCalls();
      // One call fails at once while the other takes a second (the log lists calls as they end).
      await vmHost.addFault({ method: "POST", path: failing, status: 500, times: 1 });
      await vmHost.addFault({ method: "POST", path: slow, delayMs: 1_000, times: 1 });
      expect((await org.api("POST", `/v1/workspaces/${ws.id}/ssh`)).status).toBe(502);
      const calls = await vmHost.calls();
      const permission = calls.findIndex(
        (c) => c.method === "POST" && new RegExp(permissionPath).test(c.path),
      );
      const identity = `/identity/v1/identities/${calls[permission]!.path.split("/")[4]}`;
      const token = calls.findIndex((c) => c.method === "POST" && c.path === `${identity}/tokens`);
      const deleted = calls.findIndex((c) => c.method === "DELETE" && c.path === identity);
      const [failed, waited] = failing === tokenPath ? [token, permission] : [permission, token];
      // Both were asked (the failure ended before the slow one), and the identity went after both.
      expect(failed).toBeGreaterThanOrEqual(0);
      expect(waited).toBeGreaterThan(failed);
      expect(deleted).toBeGreaterThan(waited);
      expect(await vmHost.identitiesOn(ws.providerVmId)).toBe(0);
    }
    expect(await grantsOf(ws.id)).toEqual([]);
  });

  it("keeps a revocation the provider failed pending, and the next tick retries it", async () => {
    const ws = await createRunning(org, "revoke-retry");
    await org.api("POST", `/v1/workspaces/${ws.id}/ssh`);
    await vmHost.addFault({
      method: "DELETE",
      path: "^/identity/v1/identities/[^/]+/tokens/",
      status: 500,
      code: "INTERNAL_ERROR",
      message: "try later",
      times: 1,
    });
    expect((await org.api("POST", `/v1/workspaces/${ws.id}/stop`)).body.status).toBe("stopped");
    const [pending] = await grantsOf(ws.id);
    expect(pending!.revokedAt).toBeNull();
    expect(pending!.expiresAt.getTime()).toBeLessThanOrEqual(Date.now());
    expect(await tokenIsLive(pending!.providerIdentityId, pending!.providerTokenId)).toBe(true);

    await tick(bindings);
    const [after] = await grantsOf(ws.id);
    expect(after!.revokedAt).not.toBeNull();
    expect(await tokenIsLive(after!.providerIdentityId, after!.providerTokenId)).toBe(false);
  });

  it("20 concurrent requests beside a stop: no credential survives the stop, not even after resume", async () => {
    const ws = await createRunning(org, "ssh-race");
    // Every grant takes a while at the provider, so the stop lands while they are in flight.
    await vmHost.addFault({ method: "POST", path: "^/identity/v1/identities/[^/]+/tokens$", delayMs: 300 });
    const requests = Array.from({ length: 20 }, () => org.api("POST", `/v1/workspaces/${ws.id}/ssh`));
    await new Promise((r) => setTimeout(r, 50));
    const stopped = await org.api("POST", `/v1/workspaces/${ws.id}/stop`);
    const results = await Promise.all(requests);
    expect(stopped.body.status).toBe("stopped");
    for (const r of results) expect([200, 409]).toContain(r.status);
    expect(results.filter((r) => r.status === 409).length).toBeGreaterThan(0);

    await vmHost.clearFaults();
    expect((await org.api("POST", `/v1/workspaces/${ws.id}/resume`)).body.status).toBe("running");
    const grants = await grantsOf(ws.id);
    for (const g of grants) {
      expect(g.revokedAt).not.toBeNull();
      expect(await tokenIsLive(g.providerIdentityId, g.providerTokenId)).toBe(false);
    }
    // Nothing the race handed out, recorded or not, still opens the VM.
    expect(await vmHost.identitiesOn(ws.providerVmId)).toBe(0);
    // And access is handed out again now that it runs.
    expect((await org.api("POST", `/v1/workspaces/${ws.id}/ssh`)).status).toBe(200);
  });
});
