import { schema } from "@cw/db";
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { apiClient } from "./support/api.ts";
import { freshDatabase, openDb, sharedDatabase } from "./support/database.ts";
import { createRunning, type Org, setupOrg } from "./support/org.ts";
import { vmHost } from "./support/vm-host.ts";

/** Every limit answers a problem that names it (`limit.name` is its variable), and holds under concurrency. */
const expectLimit = (res: { status: number; body: any }, status: number, name: string, max: number) => {
  expect(res.status).toBe(status);
  expect(res.body).toMatchObject({ type: "/problems/limit-reached", limit: { name, max } });
  expect(res.body.detail).toContain(name);
};

describe("per organization, in its own database", () => {
  let bindings: { DATABASE_URL: string; DATABASE_WS_PROXY: string };
  let org: Org;

  beforeAll(async () => {
    bindings = (await freshDatabase()).env;
    org = await setupOrg(bindings, "limits");
  });

  it("workspaces: concurrent creates past the limit get 422, exactly the limit succeed; a repeat is still answered", async () => {
    const api = apiClient({ ...bindings, MAX_WORKSPACES_PER_ORGANIZATION: "3" }, org.token);
    const results = await Promise.all(
      [1, 2, 3, 4, 5].map((n) =>
        api(
          "POST",
          "/v1/workspaces",
          { repositoryId: org.repositoryId, name: `w${n}`, branch: "main" },
          { headers: { "idempotency-key": `limit-${n}` } },
        ),
      ),
    );
    const created = results.filter((r) => r.status === 202);
    expect(created).toHaveLength(3);
    for (const r of results.filter((r) => r.status !== 202))
      expectLimit(r, 422, "MAX_WORKSPACES_PER_ORGANIZATION", 3);
    expect((await api("GET", "/v1/workspaces")).body.items).toHaveLength(3);

    const first = created[0]!.body;
    const repeat = await api(
      "POST",
      "/v1/workspaces",
      { repositoryId: org.repositoryId, name: first.name, branch: "main" },
      { headers: { "idempotency-key": `limit-${first.name.slice(1)}` } },
    );
    expect(repeat.status).toBe(202);
    expect(repeat.body.id).toBe(first.id);
  });

  it("API tokens: 422 at the limit; expired tokens do not count", async () => {
    const api = apiClient({ ...bindings, MAX_TOKENS_PER_ORGANIZATION: "3" }, org.token);
    const live = (await api("GET", "/v1/tokens")).body.items.length; // the seeded one
    const made = [];
    for (let i = live; i < 3; i++) made.push(await api("POST", "/v1/tokens", { name: `t${i}` }));
    expect(made.every((r) => r.status === 201)).toBe(true);
    expectLimit(
      await api("POST", "/v1/tokens", { name: "one-too-many" }),
      422,
      "MAX_TOKENS_PER_ORGANIZATION",
      3,
    );

    const db = openDb(bindings);
    await db.db
      .update(schema.apiTokens)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(schema.apiTokens.id, made[0]!.body.id));
    await db.close();
    expect((await api("POST", "/v1/tokens", { name: "replaces-the-expired" })).status).toBe(201);
  });
});

describe("on running workspaces", () => {
  let org: Org;
  const bindings = () => sharedDatabase().env;

  beforeAll(async () => {
    org = await setupOrg(bindings(), "limits-live");
  });

  it("SSH grants: 429 past the limit, even for concurrent requests, leaving no extra access at the provider", async () => {
    const ws = await createRunning(org, "grants");
    const api = apiClient({ ...bindings(), MAX_SSH_GRANTS_PER_ORGANIZATION: "2" }, org.token);
    const results = await Promise.all([1, 2, 3, 4].map(() => api("POST", `/v1/workspaces/${ws.id}/ssh`)));
    expect(results.filter((r) => r.status === 200)).toHaveLength(2);
    for (const r of results.filter((r) => r.status !== 200))
      expectLimit(r, 429, "MAX_SSH_GRANTS_PER_ORGANIZATION", 2);
    expect(await vmHost.identitiesOn(ws.providerVmId)).toBe(2);
    expectLimit(await api("POST", `/v1/workspaces/${ws.id}/ssh`), 429, "MAX_SSH_GRANTS_PER_ORGANIZATION", 2);
  });

  it("live sessions per workspace: 429 at the limit, over HTTP and WebSocket, until one leaves", async () => {
    const ws = await createRunning(org, "crowded");
    const joined = [];
    for (let i = 0; i < 20; i++) {
      const res = await org.api("POST", `/v1/workspaces/${ws.id}/sessions`, { clientType: "desktop" });
      expect(res.status).toBe(201);
      joined.push(res.body.sessionId as string);
    }
    expectLimit(
      await org.api("POST", `/v1/workspaces/${ws.id}/sessions`, { clientType: "web" }),
      429,
      "MAX_SESSIONS_PER_WORKSPACE",
      20,
    );
    const socket = await org.api("GET", `/v1/workspaces/${ws.id}/presence?clientType=desktop`, undefined, {
      headers: { upgrade: "websocket" },
      raw: true,
    });
    expectLimit(socket, 429, "MAX_SESSIONS_PER_WORKSPACE", 20);

    await org.api("DELETE", `/v1/workspaces/${ws.id}/sessions/${joined[0]}`);
    expect((await org.api("POST", `/v1/workspaces/${ws.id}/sessions`, { clientType: "web" })).status).toBe(
      201,
    );
  });
});
