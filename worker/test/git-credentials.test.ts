import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { issueApiToken, schema } from "@cw/db";
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import worker from "../src/index.ts";
import { apiClient } from "./support/api.ts";
import { openDb, sharedDatabase } from "./support/database.ts";
import { type Org, settled, setupOrg } from "./support/org.ts";
import { tick } from "./support/tick.ts";
import { vmHost } from "./support/vm-host.ts";

/**
 * Git credentials (encrypted at rest, scoped to a user or the organization) and the broker a
 * workspace's VM asks for them, with the VM credential read from inside a real VM of the local VM
 * host. Nothing listens at the repositories' host: the clone fails, but the VM, its credential and
 * the broker's answers are all there.
 */
const bindings = () => sharedDatabase().env;
const HOST = "127.0.0.1:9";
const OLD_KEY = `test:${btoa(String.fromCharCode(...new Uint8Array(32).fill(7)))}`;
const NEW_KEY = `new:${btoa(String.fromCharCode(...new Uint8Array(32).fill(9)))}`;

let a: Org;
let b: Org;
let member: ReturnType<typeof apiClient>;
const secret = (label: string) => `${label}_${crypto.randomUUID().replaceAll("-", "")}`;

async function addMember(org: Org) {
  const db = openDb(bindings());
  try {
    const [user] = await db.db
      .insert(schema.users)
      .values({ email: `member-${crypto.randomUUID()}@example.test`, name: "member" })
      .returning();
    await db.db
      .insert(schema.memberships)
      .values({ organizationId: org.organizationId, userId: user!.id, role: "member" });
    const { token } = await issueApiToken(db.db, {
      organizationId: org.organizationId,
      userId: user!.id,
      name: "m",
    });
    return apiClient(bindings(), token);
  } finally {
    await db.close();
  }
}

async function credentialRows(organizationId: string) {
  const db = openDb(bindings());
  try {
    return await db.db
      .select()
      .from(schema.gitCredentials)
      .where(eq(schema.gitCredentials.organizationId, organizationId));
  } finally {
    await db.close();
  }
}

/** A workspace of an http repository on HOST, and its VM's credential as the helper reads it. */
async function workspaceWithVm(org: Org, name: string) {
  const repo = await org.api("POST", "/v1/repositories", {
    name: `http-${name}`,
    cloneUrl: `http://${HOST}/x.git`,
  });
  const ws = await settled(
    org,
    (await org.api("POST", "/v1/workspaces", { repositoryId: repo.body.id, name, branch: "main" })).body.id,
  );
  const file = await vmHost.exec(
    ws.providerVmId,
    'stat -c %a "$HOME/.config/cw/vm-credential"; cat "$HOME/.config/cw/vm-credential"',
  );
  const [mode, header] = file.stdout.trim().split("\n");
  expect(mode).toBe("600");
  return { ws, vmCredential: header!.replace("Authorization: Bearer ", "") };
}

/** The broker's raw answer (apiClient parses JSON; the success is git's text). */
async function ask(
  vmCredential: string,
  text = `protocol=http\nhost=${HOST}\n`,
  extra: Record<string, string> = {},
) {
  const ctx = createExecutionContext();
  const res = await worker.fetch(
    new Request("http://cw.test/v1/vm/git-credential", {
      method: "POST",
      headers: { authorization: `Bearer ${vmCredential}`, "content-type": "text/plain" },
      body: text,
    }),
    { ...env, ...bindings(), ...extra },
    ctx,
  );
  const body = await res.text();
  await waitOnExecutionContext(ctx);
  return { status: res.status, body, headers: res.headers };
}

beforeAll(async () => {
  a = await setupOrg(bindings(), "creds-a");
  b = await setupOrg(bindings(), "creds-b");
  member = await addMember(a);
});

describe("git credentials", () => {
  it("are stored encrypted and answered without their secret", async () => {
    const s = secret("ghp");
    const res = await a.api("POST", "/v1/git-credentials", {
      host: "GitHub.com",
      username: "x-access-token",
      secret: s,
    });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(String),
      host: "github.com",
      username: "x-access-token",
      scope: "user",
      hint: s.slice(-4),
      createdAt: expect.any(String),
      lastUsedAt: null,
    });
    const list = await a.api("GET", "/v1/git-credentials");
    expect(list.body.items).toEqual([res.body]);
    const [row] = await credentialRows(a.organizationId);
    expect(row).toMatchObject({ secretKeyId: "test", userId: a.userId, scope: "user" });
    expect(JSON.stringify(row)).not.toContain(s);
    expect(JSON.stringify([res.body, list.body])).not.toContain(s);

    // The same host again replaces it (a rotation): still one.
    const again = await a.api("POST", "/v1/git-credentials", {
      host: "github.com",
      username: "u2",
      secret: secret("ghp"),
    });
    expect(again.status).toBe(201);
    expect((await a.api("GET", "/v1/git-credentials")).body.items).toEqual([again.body]);
    expect((await a.api("DELETE", `/v1/git-credentials/${again.body.id}`)).status).toBe(204);
  });

  it("refuse bad input naming the field", async () => {
    for (const [body, field] of [
      [{ host: "github.com/acme", username: "u", secret: "s" }, "body.host"],
      [{ host: "github.com", username: "u", secret: "two\nlines" }, "body.secret"],
      [{ host: "github.com", username: "", secret: "s" }, "body.username"],
      [{ host: "github.com", username: "u", secret: "s", scope: "world" }, "body.scope"],
      [{ host: "github.com", username: "u", secret: "s", extra: 1 }, "body.extra"],
    ] as const) {
      const res = await a.api("POST", "/v1/git-credentials", body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    }
  });

  it("are the caller's own, or the organization's (owners only); never another user's or organization's", async () => {
    const own = await member("POST", "/v1/git-credentials", {
      host: "m.example",
      username: "m",
      secret: secret("m"),
    });
    expect(own.status).toBe(201);
    expect(
      (
        await member("POST", "/v1/git-credentials", {
          host: "m.example",
          username: "m",
          secret: "s",
          scope: "organization",
        })
      ).status,
    ).toBe(403);
    const orgWide = await a.api("POST", "/v1/git-credentials", {
      host: "o.example",
      username: "o",
      secret: secret("o"),
      scope: "organization",
    });
    expect(orgWide.status).toBe(201);
    const ownersOwn = await a.api("POST", "/v1/git-credentials", {
      host: "m.example",
      username: "a",
      secret: secret("a"),
    });

    const hosts = async (call: typeof member) =>
      (await call("GET", "/v1/git-credentials")).body.items
        .map((c: { host: string; scope: string }) => `${c.scope}:${c.host}`)
        .sort();
    expect(await hosts(member)).toEqual(["organization:o.example", "user:m.example"]);
    expect(await hosts(a.api)).toEqual(["organization:o.example", "user:m.example"]);
    expect((await b.api("GET", "/v1/git-credentials")).body.items).toEqual([]);

    // Another user's, or another organization's, does not exist for them.
    expect((await member("DELETE", `/v1/git-credentials/${ownersOwn.body.id}`)).status).toBe(404);
    expect((await b.api("DELETE", `/v1/git-credentials/${orgWide.body.id}`)).status).toBe(404);
    expect((await member("DELETE", `/v1/git-credentials/${orgWide.body.id}`)).status).toBe(403);
    for (const id of [own.body.id, orgWide.body.id, ownersOwn.body.id])
      expect(await credentialRows(a.organizationId).then((r) => r.some((x) => x.id === id))).toBe(true);
    expect((await member("DELETE", `/v1/git-credentials/${own.body.id}`)).status).toBe(204);
    expect((await a.api("DELETE", `/v1/git-credentials/${orgWide.body.id}`)).status).toBe(204);
    expect((await a.api("DELETE", `/v1/git-credentials/${ownersOwn.body.id}`)).status).toBe(204);
  });

  it("are limited per organization, a replacement excepted", async () => {
    const limited = apiClient({ ...bindings(), MAX_GIT_CREDENTIALS_PER_ORGANIZATION: "1" }, b.token);
    expect(
      (await limited("POST", "/v1/git-credentials", { host: "one.example", username: "u", secret: "s" }))
        .status,
    ).toBe(201);
    expect(
      (await limited("POST", "/v1/git-credentials", { host: "one.example", username: "u", secret: "t" }))
        .status,
    ).toBe(201);
    const over = await limited("POST", "/v1/git-credentials", {
      host: "two.example",
      username: "u",
      secret: "s",
    });
    expect(over.status).toBe(422);
    expect(over.body.limit).toEqual({ name: "MAX_GIT_CREDENTIALS_PER_ORGANIZATION", max: 1 });
    const [only] = (await b.api("GET", "/v1/git-credentials")).body.items;
    await b.api("DELETE", `/v1/git-credentials/${only.id}`);
  });
});

describe("the broker a workspace's VM asks", () => {
  it("answers the creator's own credential first, then the organization's, and stops at once when deleted", async () => {
    const { vmCredential } = await workspaceWithVm(a, "brokered");
    const none = await ask(vmCredential);
    expect(none.status).toBe(404);
    expect(none.body).toContain(`authentication failed for ${HOST}: no git credential for this host`);

    const orgSecret = secret("org");
    const orgWide = await a.api("POST", "/v1/git-credentials", {
      host: HOST,
      username: "org-bot",
      secret: orgSecret,
      scope: "organization",
    });
    const fromOrg = await ask(vmCredential);
    expect(fromOrg.status).toBe(200);
    expect(fromOrg.headers.get("content-type")).toMatch(/^text\/plain/);
    const [user, pass, expiry] = fromOrg.body.trim().split("\n");
    expect([user, pass]).toEqual(["username=org-bot", `password=${orgSecret}`]);
    const expires = Number(expiry!.replace("password_expiry_utc=", ""));
    expect(expires - Date.now() / 1000).toBeGreaterThan(60);
    expect(expires - Date.now() / 1000).toBeLessThanOrEqual(120);

    const mine = secret("mine");
    const own = await a.api("POST", "/v1/git-credentials", { host: HOST, username: "me", secret: mine });
    expect((await ask(vmCredential)).body).toContain(`password=${mine}\n`);
    expect(
      (await a.api("GET", "/v1/git-credentials")).body.items.find((c: { id: string }) => c.id === own.body.id)
        .lastUsedAt,
    ).not.toBeNull();

    await a.api("DELETE", `/v1/git-credentials/${own.body.id}`);
    expect((await ask(vmCredential)).body).toContain(`password=${orgSecret}\n`);
    await a.api("DELETE", `/v1/git-credentials/${orgWide.body.id}`);
    expect((await ask(vmCredential)).status).toBe(404);
  });

  it("answers only for its repository's host and protocol, and only git's format", async () => {
    const { vmCredential } = await workspaceWithVm(a, "narrow");
    const cred = await a.api("POST", "/v1/git-credentials", {
      host: "github.com",
      username: "u",
      secret: secret("gh"),
    });
    for (const request of ["protocol=https\nhost=github.com\n", `protocol=https\nhost=${HOST}\n`]) {
      const res = await ask(vmCredential, request);
      expect(res.status).toBe(403);
      expect(res.body).toContain(`only for its repository's host: http://${HOST}`);
    }
    expect((await ask(vmCredential, "protocol=http\n")).status).toBe(400);
    expect((await ask(vmCredential, "protocol=ssh\nhost=github.com\n")).status).toBe(400);
    expect((await ask(vmCredential, '{"protocol":"http"}')).status).toBe(400);
    expect((await ask(vmCredential, `protocol=http\nhost=${HOST}\n${"x=1\n".repeat(5000)}`)).status).toBe(
      413,
    );
    await a.api("DELETE", `/v1/git-credentials/${cred.body.id}`);
  });

  it("never hands one organization's secret to another's VM, even with the ciphertext copied over", async () => {
    const aSecret = secret("a");
    await a.api("POST", "/v1/git-credentials", {
      host: HOST,
      username: "a",
      secret: aSecret,
      scope: "organization",
    });
    const { vmCredential: bVm } = await workspaceWithVm(b, "other-org");
    const refused = await ask(bVm);
    expect(refused.status).toBe(404);
    expect(refused.body).not.toContain(aSecret);

    // A database writer copying A's ciphertext into B's row gets nothing: it is bound to its owner.
    await b.api("POST", "/v1/git-credentials", {
      host: HOST,
      username: "b",
      secret: secret("b"),
      scope: "organization",
    });
    const [aRow] = (await credentialRows(a.organizationId)).filter((r) => r.host === HOST);
    const [bRow] = await credentialRows(b.organizationId);
    const db = openDb(bindings());
    await db.db
      .update(schema.gitCredentials)
      .set({ secretIv: aRow!.secretIv, secretCiphertext: aRow!.secretCiphertext })
      .where(eq(schema.gitCredentials.id, bRow!.id));
    await db.close();
    const copied = await ask(bVm);
    expect(copied.status).toBe(404);
    expect(copied.body).not.toContain(aSecret);
    await b.api("DELETE", `/v1/git-credentials/${bRow!.id}`);
    await a.api("DELETE", `/v1/git-credentials/${aRow!.id}`);
  });

  it("refuses a wrong VM credential, an API token, and the credential of a deleted workspace", async () => {
    const { ws, vmCredential } = await workspaceWithVm(a, "short-lived");
    expect((await ask(`cwv_${"x".repeat(43)}`)).status).toBe(401);
    expect((await ask(a.token)).status).toBe(401);
    expect((await ask(vmCredential)).status).toBe(404);
    // The VM credential opens nothing else of the API.
    const asApi = await apiClient(bindings(), vmCredential)("GET", "/v1/workspaces");
    expect(asApi.status).toBe(401);
    expect((await a.api("DELETE", `/v1/workspaces/${ws.id}`)).status).toBe(204);
    const gone = await ask(vmCredential);
    expect(gone.status).toBe(401);
    expect(gone.body).toContain("unknown or revoked VM credential");
  });

  it("keeps working through a key rotation, and the cron moves every credential to the new key", async () => {
    const { vmCredential } = await workspaceWithVm(a, "rotated");
    const s = secret("rot");
    const cred = await a.api("POST", "/v1/git-credentials", { host: HOST, username: "r", secret: s });
    const rotated = { GIT_CREDENTIAL_KEYS: `${NEW_KEY},${OLD_KEY}` };
    expect((await ask(vmCredential, undefined, rotated)).body).toContain(`password=${s}\n`);
    await tick({ ...bindings(), ...rotated });
    const [row] = (await credentialRows(a.organizationId)).filter((r) => r.id === cred.body.id);
    expect(row!.secretKeyId).toBe("new");
    // The old key can go now.
    expect((await ask(vmCredential, undefined, { GIT_CREDENTIAL_KEYS: NEW_KEY })).body).toContain(
      `password=${s}\n`,
    );
    expect((await ask(vmCredential)).status).toBe(404);
    await a.api("DELETE", `/v1/git-credentials/${cred.body.id}`);
  });
});
