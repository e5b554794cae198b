import { ApiError } from "@cw/contracts/client";
import { webhookReceiverClient } from "@cw/testing";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { contractClient } from "./support/api.ts";
import { sharedDatabase } from "./support/database.ts";
import { type Org, setupOrg } from "./support/org.ts";

/**
 * The worker against its own contract: every operation called through the contract's client, which
 * parses each answer with the contract's schema, so an answer that drifts from the contract fails here.
 */
let org: Org;
let api: ReturnType<typeof contractClient>;

beforeAll(async () => {
  org = await setupOrg(sharedDatabase().env, "contract");
  api = contractClient(sharedDatabase().env, org.token);
});

async function settled(id: string) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const ws = await api.getWorkspace(id);
    if (ws.operation !== "create") return ws;
    if (Date.now() > deadline) throw new Error(`workspace ${id} still creating`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("the API's answers, read through the contract's client", () => {
  it("match the contract on every operation, and errors arrive as ApiError problems", async () => {
    expect(await api.getHealth()).toEqual({ ok: true });
    expect((await api.listRepositories()).items.map((r) => r.id)).toContain(org.repositoryId);
    const repo = await api.createRepository({ name: "contract-extra", cloneUrl: inject("gitRepo").cloneUrl });
    expect(repo).toMatchObject({ name: "contract-extra", defaultBranch: "main" });

    const created = await api.createWorkspace({
      repositoryId: org.repositoryId,
      name: "contract",
      branch: "feature",
    });
    expect(created).toMatchObject({ status: "provisioning", operation: "create", allowedActions: [] });
    const ws = await settled(created.id);
    expect(ws).toMatchObject({ status: "running", allowedActions: ["pause", "stop", "delete"] });
    expect((await api.listWorkspaces({ limit: 1 })).items).toHaveLength(1);
    expect((await api.listAllWorkspaces({ status: "running" })).map((w) => w.id)).toContain(ws.id);
    expect(await api.updateWorkspace(ws.id, { autoStopAction: "stop" })).toMatchObject({
      autoStopAction: "stop",
    });

    const creds = await api.createSshCredentials(ws.id);
    expect(creds.command).toContain(creds.username);
    const { sessionId } = await api.joinSession(ws.id, "web");
    expect((await api.listSessions(ws.id)).items).toEqual([
      expect.objectContaining({ id: sessionId, clientType: "web", userId: org.userId }),
    ]);
    await expect(api.heartbeatSession(ws.id, sessionId)).resolves.toBeUndefined();
    await expect(api.leaveSession(ws.id, sessionId)).resolves.toBeUndefined();

    const placed = await api.createHold(ws.id, { minutes: 30, reason: "contract" });
    expect(placed).toMatchObject({ userId: org.userId, reason: "contract" });
    expect((await api.listHolds(ws.id)).items).toEqual([placed]);
    expect((await api.getWorkspace(ws.id)).activity).toMatchObject({
      state: "held_by_holds",
      holds: [placed],
    });
    await expect(api.deleteHold(ws.id, placed.id)).resolves.toBeUndefined();
    await expect(api.deleteHold(ws.id, placed.id)).rejects.toMatchObject({ status: 404 });

    expect((await api.pauseWorkspace(ws.id)).status).toBe("paused");
    const refused = await api.pauseWorkspace(ws.id).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ApiError);
    expect(refused).toMatchObject({ status: 409, title: "Invalid transition" });
    expect((refused as ApiError).problem).toMatchObject({ workspaceStatus: "paused" });
    expect((await api.resumeWorkspace(ws.id)).status).toBe("running");
    expect((await api.stopWorkspace(ws.id)).status).toBe("stopped");
    await expect(api.deleteWorkspace(ws.id)).resolves.toBeUndefined();
    await expect(api.getWorkspace(ws.id)).rejects.toMatchObject({ status: 404, title: "Not found" });

    const token = await api.createToken({ name: "contract" });
    expect(token.token.startsWith(token.prefix)).toBe(true);
    expect((await api.listTokens()).items.map((t) => t.id)).toContain(token.id);
    await expect(api.deleteToken(token.id)).resolves.toBeUndefined();

    const credential = await api.createGitCredential({
      host: "git.example.test",
      username: "u",
      secret: "s3cret-s3cret",
    });
    expect(credential).toMatchObject({ host: "git.example.test", scope: "user", hint: "cret" });
    expect((await api.listGitCredentials()).items).toEqual([credential]);
    await expect(api.deleteGitCredential(credential.id)).resolves.toBeUndefined();

    const hook = await api.createWebhook({
      url: webhookReceiverClient(inject("webhookReceiver")).urlOf("contract"),
      events: ["*"],
    });
    expect(hook).toMatchObject({ status: "enabled", events: ["*"], description: null });
    expect(hook.secret).toMatch(/^whsec_/);
    expect((await api.listWebhooks()).items).toEqual([expect.objectContaining({ id: hook.id })]);
    expect(await api.enableWebhook(hook.id)).toMatchObject({ id: hook.id, status: "enabled" });
    expect(await api.testWebhook(hook.id)).toMatchObject({ type: "webhook.test", webhookId: hook.id });
    const page = await api.listWebhookDeliveries(hook.id, { limit: 1 });
    expect(page.items).toHaveLength(1);
    await expect(api.deleteWebhook(hook.id)).resolves.toBeUndefined();

    // A delete that saves work answers what it pushed (here nothing: the checkout is clean).
    const kept = await settled(
      (await api.createWorkspace({ repositoryId: org.repositoryId, name: "kept", branch: "feature" })).id,
    );
    const dirty = await api
      .deleteWorkspace(kept.id, { force: true, preserve: true })
      .catch((e: unknown) => e);
    expect(dirty).toMatchObject({ status: 400, fields: [{ field: "query.force" }] });
    expect(await api.deleteWorkspace(kept.id, { preserve: true })).toEqual({ pushedBranches: [] });

    const invalid = await api
      .createWorkspace({ repositoryId: org.repositoryId, name: "x", branch: "no..dots" })
      .catch((e: unknown) => e);
    expect(invalid).toMatchObject({
      status: 400,
      fields: [expect.objectContaining({ field: "body.branch" })],
    });
  });
});
