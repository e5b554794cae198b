import { beforeAll, describe, expect, it } from "vitest";
import { apiClient, contractClient } from "./support/api.ts";
import { freshDatabase } from "./support/database.ts";
import { type Org, setupOrg } from "./support/org.ts";

let bindings: Record<string, string>;
let a: Org;
let b: Org;

beforeAll(async () => {
  bindings = (await freshDatabase()).env;
  a = await setupOrg(bindings, "me-a");
  b = await setupOrg(bindings, "me-b");
});

describe("GET /v1/me", () => {
  it("says whose token it is: user, organization and role, and the token's name and prefix", async () => {
    const res = await a.api("GET", "/v1/me");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      user: { id: a.userId, name: "me-a owner", email: expect.stringMatching(/^me-a-\d+-.+@example\.test$/) },
      organization: { id: a.organizationId, name: expect.stringMatching(/^me-a-\d+$/), role: "owner" },
      token: { id: expect.any(String), name: "initial", prefix: a.token.slice(0, 12), expiresAt: null },
    });
  });

  it("answers through the contract's client, for each token its own", async () => {
    const created = await a.api("POST", "/v1/tokens", { name: "laptop" });
    const me = await contractClient(bindings, created.body.token).getMe();
    expect(me.token).toEqual({
      id: created.body.id,
      name: "laptop",
      prefix: created.body.prefix,
      expiresAt: null,
    });
    expect(me.organization.id).toBe(a.organizationId);
    expect((await contractClient(bindings, b.token).getMe()).organization.id).toBe(b.organizationId);
  });

  it("says when the token expires", async () => {
    const expiresAt = new Date(Date.now() + 3_600_000).toISOString();
    const created = await a.api("POST", "/v1/tokens", { name: "an hour", expiresAt });
    expect(created.status).toBe(201);
    expect((await contractClient(bindings, created.body.token).getMe()).token).toMatchObject({
      name: "an hour",
      expiresAt: created.body.expiresAt,
    });
    expect(Date.parse(created.body.expiresAt)).toBe(Date.parse(expiresAt));
  });

  it("refuses a missing, unknown or deleted token with 401", async () => {
    expect((await apiClient(bindings)("GET", "/v1/me")).status).toBe(401);
    const created = await a.api("POST", "/v1/tokens", { name: "gone" });
    expect((await a.api("DELETE", `/v1/tokens/${created.body.id}`)).status).toBe(204);
    const err = await contractClient(bindings, created.body.token)
      .getMe()
      .catch((e) => e);
    expect(err).toMatchObject({ status: 401, detail: "unknown, expired or revoked token" });
  });
});
