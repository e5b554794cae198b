import { env } from "cloudflare:test";
import { schema } from "@cw/db";
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { openDeps } from "../src/deps-factory.ts";
import { AUTH_CACHE_TTL_MS, authenticate } from "../src/services/api-tokens.ts";
import { apiClient } from "./support/api.ts";
import { freshDatabase, openDb } from "./support/database.ts";
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

  it("refuses a used-then-deleted token at once in the isolate that had it cached", async () => {
    const created = await a.api("POST", "/v1/tokens", { name: "cached" });
    const withIt = apiClient(bindings, created.body.token);
    // Used twice: the second answer comes from this isolate's auth cache.
    expect((await withIt("GET", "/v1/workspaces")).status).toBe(200);
    expect((await withIt("GET", "/v1/workspaces")).status).toBe(200);
    expect((await withIt("DELETE", `/v1/tokens/${created.body.id}`)).status).toBe(204);
    expect((await withIt("GET", "/v1/workspaces")).status).toBe(401);
  });

  it("refuses a token with a real token's listed prefix but a wrong secret", async () => {
    const created = await a.api("POST", "/v1/tokens", { name: "prefixed" });
    const listed = (await a.api("GET", "/v1/tokens")).body.items.find(
      (t: { id: string }) => t.id === created.body.id,
    );
    expect(created.body.token.startsWith(listed.prefix)).toBe(true);
    const secret = created.body.token.slice(listed.prefix.length);
    const forged = listed.prefix + [...secret].map((ch) => (ch === "A" ? "B" : "A")).join("");
    expect(forged).toHaveLength(created.body.token.length);
    const res = await apiClient(bindings, forged)("GET", "/v1/workspaces");
    expect(res.status).toBe(401);
    expect(res.body.type).toBe("/problems/unauthorized");
    expect((await apiClient(bindings, created.body.token)("GET", "/v1/workspaces")).status).toBe(200);
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

describe("token expiry", () => {
  const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();

  it("takes an optional expiresAt, shows it in the list, and never expires without one", async () => {
    const at = inDays(7);
    const created = await a.api("POST", "/v1/tokens", { name: "week", expiresAt: at });
    expect(created.status).toBe(201);
    expect(created.body.expiresAt).toBe(at);
    const forever = await a.api("POST", "/v1/tokens", { name: "forever" });
    expect(forever.body.expiresAt).toBeNull();
    const items = (await a.api("GET", "/v1/tokens")).body.items as { id: string; expiresAt: string | null }[];
    expect(items.find((t) => t.id === created.body.id)!.expiresAt).toBe(at);
    expect(items.find((t) => t.id === forever.body.id)!.expiresAt).toBeNull();
  });

  it("answers 401 for an expired token", async () => {
    const created = await a.api("POST", "/v1/tokens", { name: "lapsed", expiresAt: inDays(1) });
    const db = openDb(bindings as { DATABASE_URL: string; DATABASE_WS_PROXY: string });
    await db.db
      .update(schema.apiTokens)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(schema.apiTokens.id, created.body.id));
    await db.close();
    const res = await apiClient(bindings, created.body.token)("GET", "/v1/workspaces");
    expect(res.status).toBe(401);
    expect(res.body.detail).toMatch(/expired/);
  });

  it("refuses a token past its expiry even while this isolate has it cached", async () => {
    const created = await a.api("POST", "/v1/tokens", {
      name: "cached-expiry",
      expiresAt: new Date(Date.now() + 20_000).toISOString(),
    });
    let clock = Date.now();
    const { deps, close } = openDeps({ ...env, ...bindings }, () => new Date(clock));
    try {
      const verifiedAt = clock;
      expect(await authenticate(deps, created.body.token)).toMatchObject({ tokenId: created.body.id });
      // Still within the cache's 30 s since it was verified, but past the token's expiry.
      clock = Date.parse(created.body.expiresAt) + 1;
      expect(clock - verifiedAt).toBeLessThan(AUTH_CACHE_TTL_MS);
      expect(await authenticate(deps, created.body.token)).toBeNull();
    } finally {
      await close();
    }
  });

  it("refuses an expiry in the past, naming the field", async () => {
    const res = await a.api("POST", "/v1/tokens", {
      name: "past",
      expiresAt: new Date(Date.now() - 60_000).toISOString(),
    });
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([{ field: "body.expiresAt", message: "must be in the future" }]);
  });

  it("keeps tokens within the deployment's maximum, defaulting to it", async () => {
    const capped = apiClient({ ...bindings, TOKEN_MAX_LIFETIME_DAYS: "30" }, a.token);
    const tooLong = await capped("POST", "/v1/tokens", { name: "long", expiresAt: inDays(31) });
    expect(tooLong.status).toBe(422);
    expect(tooLong.body.errors[0]).toMatchObject({
      field: "body.expiresAt",
      message: expect.stringContaining("30 days"),
    });
    const defaulted = await capped("POST", "/v1/tokens", { name: "defaulted" });
    expect(defaulted.status).toBe(201);
    const life = Date.parse(defaulted.body.expiresAt) - Date.now();
    expect(life).toBeGreaterThan(29.9 * 86_400_000);
    expect(life).toBeLessThanOrEqual(30 * 86_400_000);
  });

  it("never lets a token mint one that outlives it", async () => {
    const parentAt = inDays(2);
    const parent = await a.api("POST", "/v1/tokens", { name: "parent", expiresAt: parentAt });
    const asParent = apiClient(bindings, parent.body.token);
    const later = await asParent("POST", "/v1/tokens", { name: "child", expiresAt: inDays(3) });
    expect(later.status).toBe(422);
    expect(later.body.errors[0].message).toContain(parentAt);
    const child = await asParent("POST", "/v1/tokens", { name: "child" });
    expect(child.body.expiresAt).toBe(parentAt);
  });
});
