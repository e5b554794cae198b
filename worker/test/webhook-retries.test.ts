import { env } from "cloudflare:test";
import { schema } from "@cw/db";
import { waitFor, webhookReceiverClient } from "@cw/testing";
import { eq } from "drizzle-orm";
import { Webhook } from "standardwebhooks";
import { afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { openDeps } from "../src/deps-factory.ts";
import { runScheduled } from "../src/scheduled.ts";
import { runWebhookEndpoint } from "../src/services/webhook-delivery.ts";
import { apiClient } from "./support/api.ts";
import { freshDatabase, openDb } from "./support/database.ts";
import { type Org, setupOrg } from "./support/org.ts";

/**
 * Retries, disabling, the timeout, the URL policy and key rotation, driven by calling the delivery
 * service (`runWebhookEndpoint`) with an injected clock instead of waiting hours. This file's own
 * database is one no delivery object can see (they only reach the workers' database), so nothing
 * but the test runs its endpoints. The receiver is real; signatures are checked with
 * `standardwebhooks`.
 */
type Bindings = { DATABASE_URL: string; DATABASE_WS_PROXY: string };
let db: Bindings;
let org: Org;
const receiver = webhookReceiverClient(inject("webhookReceiver"));
const HOUR = 3600_000;
const OLD_KEY = `test:${btoa(String.fromCharCode(...new Uint8Array(32).fill(7)))}`;
const NEW_KEY = `new:${btoa(String.fromCharCode(...new Uint8Array(32).fill(9)))}`;

beforeAll(async () => {
  db = (await freshDatabase()).env;
  org = await setupOrg(db, "retries");
});

afterEach(async () => {
  for (const hook of (await org.api("GET", "/v1/webhooks")).body.items)
    await org.api("DELETE", `/v1/webhooks/${hook.id}`);
});

const workerEnv = (vars: Record<string, string> = {}) => ({ ...env, ...db, ...vars }) as Env;

/** One delivery run of the endpoint as its object would make it, at `at`. */
async function runAt(hookId: string, at: Date, vars: Record<string, string> = {}) {
  const { deps, close } = openDeps(workerEnv(vars), () => at);
  try {
    return await runWebhookEndpoint(deps, hookId);
  } finally {
    await close();
  }
}

/**
 * The endpoint's first run after an event, repeated until the event is queued: reads of the event
 * log see only transactions older than the oldest one running on the server, and another test's
 * may hold it back a moment.
 */
async function firstRun(hookId: string, at: Date, vars: Record<string, string> = {}) {
  await waitFor("the event to be queued", async () => {
    await runAt(hookId, at, vars);
    return (await deliveries(hookId)).length > 0;
  });
}

const later = (from: Date, ms: number) => new Date(from.getTime() + ms);
const hookName = (label: string) => `${label}-${crypto.randomUUID().slice(0, 8)}`;

async function createHook(name: string, events = ["repository.created"]) {
  const res = await org.api("POST", "/v1/webhooks", { url: receiver.urlOf(name), events });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; secret: string; url: string };
}

async function addRepository(name: string) {
  const res = await org.api("POST", "/v1/repositories", { name, cloneUrl: inject("gitRepo").cloneUrl });
  expect(res.status).toBe(201);
}

async function deliveries(hookId: string) {
  return (await org.api("GET", `/v1/webhooks/${hookId}/deliveries`)).body.items as any[];
}

const requestsOf = async (name: string) => (await receiver.received(name)).requests;

/** A request's signature is what Standard Webhooks' own signer makes for its id, timestamp and body. */
function signedBy(secret: string, request: { headers: Record<string, string>; body: string }) {
  const at = new Date(Number(request.headers["webhook-timestamp"]) * 1000);
  return (
    new Webhook(secret).sign(request.headers["webhook-id"]!, at, request.body) ===
    request.headers["webhook-signature"]
  );
}

describe("retries", () => {
  it("retries a delivery answered with 500s after growing waits, then delivers it; each attempt the same id and body, signed anew", async () => {
    const name = hookName("flaky");
    await receiver.behave(name, { failFirst: 2 });
    const hook = await createHook(name);
    await addRepository(`flaky-${name}`);
    const t0 = new Date();

    await firstRun(hook.id, t0);
    expect(await requestsOf(name)).toHaveLength(1);
    const [first] = await deliveries(hook.id);
    expect(first).toMatchObject({
      status: "pending",
      attempts: 1,
      lastResponseStatus: 500,
      lastError: "answered 500",
    });
    expect(first.nextAttemptAt).toBe(later(t0, 10_000).toISOString());

    // Not yet due: nothing is sent.
    await runAt(hook.id, later(t0, 9_999));
    expect(await requestsOf(name)).toHaveLength(1);
    await runAt(hook.id, later(t0, 10_000));
    const [second] = await deliveries(hook.id);
    expect(second).toMatchObject({ status: "pending", attempts: 2 });
    expect(second.nextAttemptAt).toBe(later(t0, 40_000).toISOString());
    await runAt(hook.id, later(t0, 40_000));

    const [done] = await deliveries(hook.id);
    expect(done).toMatchObject({
      status: "delivered",
      attempts: 3,
      lastResponseStatus: 204,
      lastError: null,
    });
    const requests = await requestsOf(name);
    expect(requests).toHaveLength(3);
    expect(new Set(requests.map((r) => r.headers["webhook-id"]))).toEqual(new Set([done.eventId]));
    expect(new Set(requests.map((r) => r.body)).size).toBe(1);
    expect(requests.map((r) => Number(r.headers["webhook-timestamp"]))).toEqual(
      [0, 10_000, 40_000].map((ms) => Math.floor(later(t0, ms).getTime() / 1000)),
    );
    for (const r of requests)
      expect(new Webhook(hook.secret).verify(r.body, r.headers)).toMatchObject({
        type: "repository.created",
      });
  });

  it("disables an endpoint that failed for 24 hours, records webhook.disabled, and sends it nothing more", async () => {
    const name = hookName("dead");
    await receiver.behave(name, { failFirst: 1_000 });
    const hook = await createHook(name);
    await addRepository(`dead-${name}`);
    const t0 = new Date();

    await firstRun(hook.id, t0);
    await runAt(hook.id, later(t0, 23 * HOUR));
    const [retrying] = await deliveries(hook.id);
    expect(retrying).toMatchObject({ status: "pending", attempts: 2 });
    expect((await org.api("GET", "/v1/webhooks")).body.items[0]).toMatchObject({
      id: hook.id,
      status: "enabled",
    });

    // The last attempt is due when the 24 hours are up.
    expect(await runAt(hook.id, later(t0, 24 * HOUR))).toEqual({ gone: false, nextRunAt: null });
    const reason = "every delivery failed for 24 hours (last attempt: answered 500)";
    const [listed] = (await org.api("GET", "/v1/webhooks")).body.items;
    expect(listed).toMatchObject({ id: hook.id, status: "disabled", disabledReason: reason });
    expect((await deliveries(hook.id))[0]).toMatchObject({
      status: "failed",
      attempts: 3,
      nextAttemptAt: null,
    });
    const disabled = await waitFor("the webhook.disabled event", async () => {
      const items = (await org.api("GET", "/v1/events?type=webhook.disabled")).body.items as any[];
      return items.length > 0 && items;
    });
    expect(disabled.map((e) => [e.actor, e.data])).toEqual([
      [
        { type: "system", process: "webhooks" },
        { webhookId: hook.id, url: hook.url, reason },
      ],
    ]);
    const requests = await requestsOf(name);
    expect(requests).toHaveLength(3);
    // Signed at the injected time (too old for a receiver's tolerance now, so compared with the signer).
    expect(requests.every((r) => signedBy(hook.secret, r))).toBe(true);

    await addRepository(`after-${name}`);
    expect(await runAt(hook.id, later(t0, 25 * HOUR))).toEqual({ gone: false, nextRunAt: null });
    expect(await requestsOf(name)).toHaveLength(3);
    expect(await deliveries(hook.id)).toHaveLength(1);
  });

  it("enables a disabled endpoint again: it receives the events from then on, not those of while it was off", async () => {
    const name = hookName("revived");
    await receiver.behave(name, { failFirst: 1_000 });
    const hook = await createHook(name);
    await addRepository(`revived-${name}`);
    const t0 = new Date();
    await firstRun(hook.id, t0);
    await runAt(hook.id, later(t0, 24 * HOUR));
    expect((await org.api("GET", "/v1/webhooks")).body.items[0]).toMatchObject({ status: "disabled" });
    await addRepository(`while-off-${name}`);

    // Another organization cannot enable it, nor learn that it exists.
    const other = await setupOrg(db, "retries-other");
    const foreign = await other.api("POST", `/v1/webhooks/${hook.id}/enable`);
    expect(foreign.status).toBe(404);
    expect((await org.api("GET", "/v1/webhooks")).body.items[0]).toMatchObject({ status: "disabled" });

    await receiver.behave(name, { status: 204 });
    const enabled = await org.api("POST", `/v1/webhooks/${hook.id}/enable`);
    expect(enabled.status, JSON.stringify(enabled.body)).toBe(200);
    expect(enabled.body).toMatchObject({
      id: hook.id,
      status: "enabled",
      disabledAt: null,
      disabledReason: null,
    });
    expect(enabled.body).not.toHaveProperty("secret");
    // Again: nothing changes, and no second event.
    expect((await org.api("POST", `/v1/webhooks/${hook.id}/enable`)).body).toEqual(enabled.body);

    await addRepository(`after-on-${name}`);
    const t1 = later(t0, 30 * HOUR);
    await waitFor("the new event queued", async () => {
      await runAt(hook.id, t1);
      return (await deliveries(hook.id)).length === 2;
    });
    const [latest] = await deliveries(hook.id);
    expect(latest).toMatchObject({ status: "delivered", attempts: 1 });
    const sent = (await requestsOf(name)).at(-1)!;
    expect(signedBy(hook.secret, sent)).toBe(true);
    expect(JSON.parse(sent.body).data.data).toMatchObject({ name: `after-on-${name}` });

    const events = (await org.api("GET", "/v1/events?type=webhook.enabled")).body.items as any[];
    expect(events.map((e) => [e.actor.type, e.data])).toEqual([
      ["user", { webhookId: hook.id, url: hook.url }],
    ]);
  });

  it("fails an attempt the receiver does not answer within the timeout", async () => {
    const name = hookName("silent");
    await receiver.behave(name, { hang: true });
    const hook = await createHook(name);
    await addRepository(`silent-${name}`);
    try {
      await firstRun(hook.id, new Date(), { WEBHOOK_TIMEOUT_MS: "1000" });
      expect((await deliveries(hook.id))[0]).toMatchObject({
        status: "pending",
        attempts: 1,
        lastResponseStatus: null,
        lastError: "no answer within 1 s",
      });
    } finally {
      await receiver.release(name);
    }
  });
});

describe("the URL policy", () => {
  it("is checked again before sending: a URL refused now is not sent to", async () => {
    const name = hookName("refused");
    const hook = await createHook(name);
    await addRepository(`refused-${name}`);
    await firstRun(hook.id, new Date(), { ALLOW_LOCAL_REPOSITORIES: "false" });
    expect(await requestsOf(name)).toHaveLength(0);
    expect((await deliveries(hook.id))[0]).toMatchObject({
      status: "pending",
      attempts: 1,
      lastError: "not sent: the URL must be an https:// URL",
    });
  });

  const production = () => apiClient({ ...db, ALLOW_LOCAL_REPOSITORIES: "false" }, org.token);

  it.each([
    [{ url: "http://public.example.test/hook", events: ["*"] }, 422, "body.url"],
    [{ url: "https://private.example.test/hook", events: ["*"] }, 422, "body.url"],
    [{ url: "https://alias.example.test/hook", events: ["*"] }, 422, "body.url"],
    [{ url: "https://metadata.example.test/hook", events: ["*"] }, 422, "body.url"],
    [{ url: "https://10.0.0.7/hook", events: ["*"] }, 422, "body.url"],
    [{ url: "https://[::1]/hook", events: ["*"] }, 422, "body.url"],
    [{ url: "https://localhost/hook", events: ["*"] }, 422, "body.url"],
    [{ url: "https://nowhere.example.test/hook", events: ["*"] }, 422, "body.url"],
    [{ url: "https://user:pw@public.example.test/hook", events: ["*"] }, 422, "body.url"],
    [{ url: "ftp://public.example.test/hook", events: ["*"] }, 400, "body.url"],
    [{ url: "not a url", events: ["*"] }, 400, "body.url"],
    [{ events: ["*"] }, 400, "body.url"],
    [{ url: "https://public.example.test/hook", events: ["workspace.exploded"] }, 400, "body.events.0"],
    [{ url: "https://public.example.test/hook", events: [] }, 400, "body.events"],
    [
      { url: "https://public.example.test/hook", events: ["*"], description: "a\nb" },
      400,
      "body.description",
    ],
    [{ url: "https://public.example.test/hook", events: ["*"], secret: "mine" }, 400, "body.secret"],
  ])("%j → %i naming %s", async (body, status, field) => {
    const res = await production()("POST", "/v1/webhooks", body);
    expect(res.status, JSON.stringify(res.body)).toBe(status);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    expect((await org.api("GET", "/v1/webhooks")).body.items).toEqual([]);
  });

  it("takes an https URL to a public host in production, and answers 503 when the host cannot be checked", async () => {
    const ok = await production()("POST", "/v1/webhooks", {
      url: "https://public.example.test/hook",
      events: ["*"],
    });
    expect(ok.status).toBe(201);
    const unsure = await production()("POST", "/v1/webhooks", {
      url: "https://broken.example.test/hook",
      events: ["*"],
    });
    expect(unsure.status).toBe(503);
    expect(unsure.body.type).toBe("/problems/dns-unavailable");
  });

  it("caps endpoints per organization", async () => {
    const capped = apiClient({ ...db, MAX_WEBHOOKS_PER_ORGANIZATION: "1" }, org.token);
    const body = { url: receiver.urlOf(hookName("cap")), events: ["*"] };
    expect((await capped("POST", "/v1/webhooks", body)).status).toBe(201);
    const over = await capped("POST", "/v1/webhooks", body);
    expect(over.status).toBe(422);
    expect(over.body.limit).toEqual({ name: "MAX_WEBHOOKS_PER_ORGANIZATION", max: 1 });
  });
});

describe("the cron", () => {
  it("wakes an endpoint whose wake was lost", async () => {
    const name = hookName("lost");
    const hook = await createHook(name);
    // An event it wants, recorded two minutes ago, and nobody told.
    const handle = openDb(db);
    try {
      await handle.db.insert(schema.events).values({
        organizationId: org.organizationId,
        workspaceId: null,
        type: "repository.created",
        actor: { type: "user", userId: org.userId, tokenId: null },
        data: { repositoryId: crypto.randomUUID(), name: "unannounced" },
        createdAt: new Date(Date.now() - 2 * 60_000),
      });
    } finally {
      await handle.close();
    }
    expect((await runScheduled(workerEnv(), new Date())).webhooks).toMatchObject({ lagging: 1, woken: 1 });
    await firstRun(hook.id, new Date());
    expect((await requestsOf(name)).map((r) => JSON.parse(r.body).data.data.name)).toEqual(["unannounced"]);
    expect((await runScheduled(workerEnv(), new Date())).webhooks).toMatchObject({ lagging: 0 });
  });

  it("moves signing secrets to the newest key; deliveries stay signed with the same secret", async () => {
    const name = hookName("rotated");
    const hook = await createHook(name);
    const rotated = { GIT_CREDENTIAL_KEYS: `${NEW_KEY},${OLD_KEY}` };
    expect((await runScheduled(workerEnv(rotated), new Date())).webhookSecretKeys).toMatchObject({
      stale: 1,
      moved: 1,
    });
    const handle = openDb(db);
    try {
      const [row] = await handle.db
        .select()
        .from(schema.webhookEndpoints)
        .where(eq(schema.webhookEndpoints.id, hook.id));
      expect(row!.secretKeyId).toBe("new");
    } finally {
      await handle.close();
    }
    await addRepository(`rotated-${name}`);
    // Without the newest key the secret cannot be opened: nothing is sent, and the attempt says why.
    await firstRun(hook.id, new Date(), { GIT_CREDENTIAL_KEYS: OLD_KEY });
    expect(await requestsOf(name)).toHaveLength(0);
    expect((await deliveries(hook.id))[0].lastError).toMatch(/signing secret cannot be opened/);
    // With it alone (the old one dropped), the same secret signs.
    await runAt(hook.id, later(new Date(), 10_000), { GIT_CREDENTIAL_KEYS: NEW_KEY });
    const [request] = await requestsOf(name);
    expect(signedBy(hook.secret, request!)).toBe(true);
  });
});
