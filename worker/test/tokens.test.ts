import { beforeAll, describe, expect, it } from "vitest";
import { apiClient } from "./support/api.ts";
import { freshDatabase } from "./support/database.ts";
import { type Org, setupOrg } from "./support/org.ts";

let bindings: Record<string, string>;
let a: Org;
let b: Org;

beforeAll(async () => {
  bindings = (await freshDatabase()).env;
  a = await setupOrg(bindings, "tok-a");
  b = await setupOrg(bindings, "tok-b");
});

describe("API tokens", () => {
  it("creates a token shown once, which then authenticates; lists prefixes only", async () => {
    const created = await a.api("POST", "/v1/tokens", { name: "ci" });
    expect(created.status).toBe(201);
    expect(created.body.token).toMatch(/^cwk_[A-Za-z0-9_-]{43}$/);
    expect(created.body.prefix).toBe(created.body.token.slice(0, 12));

    const withNew = apiClient(bindings, created.body.token);
    expect((await withNew("GET", "/v1/workspaces")).status).toBe(200);

    const list = await a.api("GET", "/v1/tokens");
    const used = list.body.items.find((t: { id: string }) => t.id === created.body.id);
    expect(Date.parse(used.lastUsedAt)).toBeGreaterThan(Date.parse(created.body.createdAt) - 1000);
    expect(list.body.items.map((t: { name: string }) => t.name)).toEqual(
      expect.arrayContaining(["initial", "ci"]),
    );
    expect(JSON.stringify(list.body)).not.toContain(created.body.token);
  });

  it("deletes a token, which stops authenticating at once", async () => {
    const created = await a.api("POST", "/v1/tokens", { name: "temp" });
    expect((await a.api("DELETE", `/v1/tokens/${created.body.id}`)).status).toBe(204);
    expect((await apiClient(bindings, created.body.token)("GET", "/v1/workspaces")).status).toBe(401);
    expect((await a.api("DELETE", `/v1/tokens/${created.body.id}`)).status).toBe(404);
  });

  it("cannot see or delete another organization's tokens", async () => {
    const created = await a.api("POST", "/v1/tokens", { name: "a-only" });
    expect((await b.api("DELETE", `/v1/tokens/${created.body.id}`)).status).toBe(404);
    expect((await b.api("GET", "/v1/tokens")).body.items.map((t: { id: string }) => t.id)).not.toContain(
      created.body.id,
    );
    expect((await apiClient(bindings, created.body.token)("GET", "/v1/tokens")).status).toBe(200);
  });

  it("validates the name", async () => {
    const res = await a.api("POST", "/v1/tokens", { name: "  " });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].field).toBe("body.name");
  });
});
