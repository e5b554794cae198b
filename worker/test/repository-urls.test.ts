import { env } from "cloudflare:test";
import { afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { openDeps } from "../src/deps-factory.ts";
import { provisionWorkspace } from "../src/services/workspace-lifecycle.ts";
import { apiClient } from "./support/api.ts";
import { freshDatabase, sharedDatabase } from "./support/database.ts";
import { createRunning, type Org, setupOrg } from "./support/org.ts";
import { workspaceRows } from "./support/shape-rows.ts";
import { vmHost } from "./support/vm-host.ts";

/**
 * Repository URLs as production takes them (ALLOW_LOCAL_REPOSITORIES off): https://, ssh:// and
 * user@host:path to public hosts, resolved through the tests' own DNS-over-HTTPS server
 * (global-setup.ts; its zone is TEST_ZONE in @cw/testing/node), checked when added and again
 * right before the VM is created.
 */
let bindings: Record<string, string>;
let org: Org;
let api: ReturnType<typeof apiClient>;

const resolver = () => new URL(inject("dnsResolver"));
const doh = (path: string, init?: RequestInit) => fetch(new URL(path, resolver()), init);
const askedNames = async () => (await (await doh("/__queries")).json()) as string[];

beforeAll(async () => {
  const db = (await freshDatabase()).env;
  org = await setupOrg(db, "urls"); // with the tests' default, its file:// repository is accepted
  bindings = { ...db, ALLOW_LOCAL_REPOSITORIES: "false" };
  api = apiClient(bindings, org.token);
});

const add = (cloneUrl: string, name = `r-${crypto.randomUUID().slice(0, 8)}`) =>
  api("POST", "/v1/repositories", { name, cloneUrl });

describe("when a repository is added", () => {
  it.each([
    "https://public.example.test/acme/api.git",
    "ssh://git@public.example.test/acme/api.git",
    "git@public.example.test:acme/api.git",
  ])("accepts %s, after resolving its host", async (url) => {
    await askedNames();
    const res = await add(url);
    expect(res.status).toBe(201);
    expect(await askedNames()).toEqual(
      expect.arrayContaining(["public.example.test A", "public.example.test AAAA"]),
    );
  });

  it.each([
    ["file:///etc/cloud-workspaces", "must be an https:// or ssh:// URL, or user@host:path"],
    ["http://public.example.test/x.git", "must be an https:// or ssh:// URL, or user@host:path"],
    ["git://public.example.test/x.git", "must be an https:// or ssh:// URL, or user@host:path"],
    ["https://me:secret@public.example.test/x.git", "must not carry a password or token"],
    ["https://127.0.0.1:8788/v1/vms", "host 127.0.0.1 is a loopback address"],
    ["https://2130706433/x.git", "host 127.0.0.1 is a loopback address"],
    ["git@0x7f.1:x.git", "host 127.0.0.1 is a loopback address"],
    ["https://[::ffff:127.0.0.1]/x.git", "host ::ffff:7f00:1 is a loopback address"],
    ["ssh://git@169.254.169.254/x.git", "host 169.254.169.254 is a link-local address"],
    ["https://localhost/x.git", 'host "localhost" is not a public host name'],
    [
      "https://private.example.test/x.git",
      "host private.example.test resolves to a private address (10.1.2.3)",
    ],
    [
      "https://loopback.example.test/x.git",
      "host loopback.example.test resolves to a loopback address (127.0.0.1)",
    ],
    [
      "git@metadata.example.test:x.git",
      "host metadata.example.test resolves to a link-local address (169.254.169.254)",
    ],
    ["https://ula.example.test/x.git", "host ula.example.test resolves to a private address (fd00::1)"],
    ["https://mixed.example.test/x.git", "host mixed.example.test resolves to a loopback address (::1)"],
    ["https://alias.example.test/x.git", "host alias.example.test resolves to a private address (10.1.2.3)"],
    ["https://nowhere.example.test/x.git", "host nowhere.example.test does not resolve"],
  ])("refuses %s with 422 naming the field, storing nothing", async (url, message) => {
    const res = await add(url, "refused");
    expect(res.status).toBe(422);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(res.body.errors).toEqual([{ field: "body.cloneUrl", message }]);
    const names = (await api("GET", "/v1/repositories")).body.items.map((r: { name: string }) => r.name);
    expect(names).not.toContain("refused");
  });

  it("answers 503 when the resolver fails or cannot be reached, storing nothing", async () => {
    const broken = await add("https://broken.example.test/x.git", "unknowable");
    expect(broken.status).toBe(503);
    expect(broken.body).toMatchObject({ type: "/problems/dns-unavailable" });
    const unreachable = await apiClient(
      { ...bindings, DNS_RESOLVER_URL: "http://127.0.0.1:9/dns-query" },
      org.token,
    )("POST", "/v1/repositories", { name: "unknowable", cloneUrl: "https://public.example.test/x.git" });
    expect(unreachable.status).toBe(503);
    const names = (await api("GET", "/v1/repositories")).body.items.map((r: { name: string }) => r.name);
    expect(names).not.toContain("unknowable");
  });
});

describe("right before the VM is created", () => {
  afterEach(() =>
    doh("/__zone", {
      method: "POST",
      body: JSON.stringify({ name: "moving.example.test", records: [] }),
    }),
  );

  it("refuses a host that moved to a private address since it was added: error, and no VM", async () => {
    await doh("/__zone", {
      method: "POST",
      body: JSON.stringify({ name: "moving.example.test", records: [{ type: "A", data: "93.184.216.34" }] }),
    });
    const url = "https://moving.example.test/acme/api.git";
    expect((await add(url)).status).toBe(201);
    await doh("/__zone", {
      method: "POST",
      body: JSON.stringify({ name: "moving.example.test", records: [{ type: "A", data: "127.0.0.1" }] }),
    });
    const row = await workspaceRows(bindings).insert(org, "rebound", {
      operation: "create",
      operationStartedAt: new Date(),
    });
    await vmHost.clearCalls();
    const { deps, close } = openDeps({ ...env, ...bindings } as Env);
    try {
      const after = await provisionWorkspace(deps, row, url);
      expect(after).toMatchObject({
        status: "error",
        operation: null,
        statusMessage:
          "the repository URL is not allowed: host moving.example.test resolves to a loopback address (127.0.0.1)",
      });
    } finally {
      await close();
    }
    expect((await vmHost.calls()).filter((c) => c.method === "POST" && c.path === "/v1/vms")).toEqual([]);
  });
});

describe("a failed clone", () => {
  let local: Org;
  beforeAll(async () => {
    local = await setupOrg(sharedDatabase().env, "clones");
  });

  it("is reported in our words, never git's", async () => {
    const hidden = `/srv/hidden-${crypto.randomUUID()}/repo.git`;
    const repo = await local.api("POST", "/v1/repositories", {
      name: "missing",
      cloneUrl: `file://${hidden}`,
    });
    const missing = await createRunning({ ...local, repositoryId: repo.body.id }, "m", "main");
    expect(missing.status).toBe("error");
    expect(missing.statusMessage).toBe(
      "the repository could not be cloned: repository not found or no access",
    );

    const branch = await createRunning(local, "b", "no-such-branch");
    expect(branch.statusMessage).toBe(
      "the repository could not be cloned: the branch was not found in the repository",
    );
    for (const message of [missing.statusMessage, branch.statusMessage])
      expect(message).not.toMatch(/fatal|srv|hidden|no-such-branch|upstream/);
  });
});
