import { beforeAll, describe, expect, it } from "vitest";
import { apiClient } from "./support/api.ts";
import { freshDatabase, openDb, seedOrganization } from "./support/database.ts";

let bindings: Record<string, string>;
let tokenA: string;
let tokenB: string;

beforeAll(async () => {
  const { env } = await freshDatabase();
  bindings = env;
  const db = openDb(env);
  tokenA = (await seedOrganization(db, "a")).token;
  tokenB = (await seedOrganization(db, "b")).token;
  await db.close();
});

describe("unauthenticated routes", () => {
  it("answers /healthz", async () => {
    const res = await apiClient(bindings)("GET", "/healthz");
    expect(res).toMatchObject({ status: 200, body: { ok: true } });
  });

  it("serves an OpenAPI document generated from the route schemas", async () => {
    const res = await apiClient(bindings)("GET", "/openapi.json");
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe("3.1.0");
    expect(Object.keys(res.body.paths)).toEqual(
      expect.arrayContaining(["/v1/workspaces", "/v1/workspaces/{id}/pause", "/v1/tokens/{id}"]),
    );
    expect(res.body.components.schemas.CreateWorkspace.required).toEqual(
      expect.arrayContaining(["repositoryId", "name", "branch"]),
    );
  });

  it("answers unknown routes with a problem", async () => {
    const res = await apiClient(bindings)("GET", "/nope");
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
  });
});

describe("bearer auth", () => {
  it.each([
    ["no header", undefined],
    ["an unknown token", "cwk_not-a-real-token"],
  ])("refuses %s with 401 problem+json", async (_label, token) => {
    const res = await apiClient(bindings, token)("GET", "/v1/workspaces");
    expect(res.status).toBe(401);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect(res.body).toMatchObject({ type: "/problems/unauthorized", status: 401 });
  });
});

describe("repositories", () => {
  it("registers and lists a repository, scoped to the organization", async () => {
    const a = apiClient(bindings, tokenA);
    const created = await a("POST", "/v1/repositories", {
      name: "api",
      cloneUrl: "https://git.example/api.git",
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: "api", defaultBranch: "main" });

    const listA = await a("GET", "/v1/repositories");
    expect(listA.body.items.map((r: { id: string }) => r.id)).toEqual([created.body.id]);
    const listB = await apiClient(bindings, tokenB)("GET", "/v1/repositories");
    expect(listB.body.items).toEqual([]);
  });

  it("refuses a duplicate name with 409 naming the field", async () => {
    const a = apiClient(bindings, tokenA);
    await a("POST", "/v1/repositories", { name: "dup", cloneUrl: "https://git.example/dup.git" });
    const again = await a("POST", "/v1/repositories", {
      name: "dup",
      cloneUrl: "https://git.example/dup.git",
    });
    expect(again.status).toBe(409);
    expect(again.body.errors).toEqual([{ field: "name", message: expect.any(String) }]);
  });

  it.each([
    [{ name: "", cloneUrl: "https://x/y.git" }, "body.name"],
    [{ name: "x", cloneUrl: "not a url" }, "body.cloneUrl"],
    [{ name: "x", cloneUrl: "https://x/y.git", defaultBranch: "bad..branch" }, "body.defaultBranch"],
  ])("validates %j", async (body, field) => {
    const res = await apiClient(bindings, tokenA)("POST", "/v1/repositories", body);
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
  });

  it("answers malformed JSON with 400 naming the body", async () => {
    const res = await apiClient(bindings, tokenA)("POST", "/v1/repositories", undefined, {
      rawBody: "{oops",
    });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].field).toBe("body");
  });
});
