import { env } from "cloudflare:test";
import { schema } from "@cw/db";
import { type ReceivedRequest, waitFor, webhookReceiverClient } from "@cw/testing";
import { eq, sql } from "drizzle-orm";
import { Webhook } from "standardwebhooks";
import { afterEach, beforeAll, describe, expect, inject, it, vi } from "vitest";
import { openDb, sharedDatabase } from "./support/database.ts";
import { type Org, setupOrg } from "./support/org.ts";

/**
 * Webhooks end to end, as production runs them: an API change records an event, the organization's
 * hub wakes each endpoint's delivery object, which signs and POSTs it to a real HTTP receiver
 * (started in Node by global-setup.ts). Every delivery's signature is verified with the
 * `standardwebhooks` package, as a receiver would. Delivery objects only see the workers' own
 * database, so this file uses it; retries, disabling and the URL policy are driven with an
 * injected clock in webhook-retries.test.ts.
 */
let org: Org;
let other: Org;
const bindings = () => sharedDatabase().env;
const receiver = webhookReceiverClient(inject("webhookReceiver"));

beforeAll(async () => {
  org = await setupOrg(bindings(), "hooks");
  other = await setupOrg(bindings(), "hooks-other");
});

afterEach(() => vi.restoreAllMocks());

/** A receiver name of this test's own. */
const hookName = (label: string) => `${label}-${crypto.randomUUID().slice(0, 8)}`;

async function createHook(o: Org, name: string, events: string[]) {
  const res = await o.api("POST", "/v1/webhooks", { url: receiver.urlOf(name), events, description: name });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; secret: string; url: string; status: string };
}

/** The requests `name` received once there are `count`, each verified as a receiver would. */
async function receivedVerified(name: string, secret: string, count: number) {
  const { requests } = await waitFor(`${count} deliveries at ${name}`, async () => {
    const got = await receiver.received(name);
    return got.requests.length >= count && got;
  });
  return requests.map((r) => ({ request: r, payload: new Webhook(secret).verify(r.body, r.headers) as any }));
}

async function deliveries(o: Org, hookId: string) {
  const res = await o.api("GET", `/v1/webhooks/${hookId}/deliveries`);
  expect(res.status).toBe(200);
  return res.body.items as any[];
}

async function addRepository(o: Org, name: string) {
  const res = await o.api("POST", "/v1/repositories", { name, cloneUrl: inject("gitRepo").cloneUrl });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

describe("delivery", () => {
  it("POSTs each event the endpoint wants, signed (Standard Webhooks), with the Event as data", async () => {
    const name = hookName("delivered");
    const hook = await createHook(org, name, ["repository.created"]);
    expect(hook).toMatchObject({ status: "enabled", url: receiver.urlOf(name) });
    expect(hook.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    // An event it does not want, then one it does.
    expect((await org.api("POST", "/v1/tokens", { name: "unwanted" })).status).toBe(201);
    const repositoryId = await addRepository(org, `hooked-${name}`);

    const { request, payload } = (await receivedVerified(name, hook.secret, 1))[0]!;
    const events = (await org.api("GET", "/v1/events?type=repository.created&limit=500")).body.items as any[];
    const event = events.find((e) => e.data.repositoryId === repositoryId);
    expect(payload).toEqual({ type: "repository.created", timestamp: event.createdAt, data: event });
    expect(request.headers["webhook-id"]).toBe(event.id);
    expect(request.headers["content-type"]).toBe("application/json");
    expect(Number(request.headers["webhook-timestamp"])).toBeGreaterThan(Date.now() / 1000 - 300);

    const list = await waitFor("the delivery to be recorded", async () => {
      const items = await deliveries(org, hook.id);
      return items[0]?.status === "delivered" && items;
    });
    // Only what it wants: the token's event was passed over.
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({
      webhookId: hook.id,
      eventId: event.id,
      type: "repository.created",
      attempts: 1,
      lastResponseStatus: 204,
      lastError: null,
      nextAttemptAt: null,
    });
    expect(list[0].deliveredAt).toEqual(expect.any(String));
  });

  it("sends a test delivery on request, without waiting for the receiver", async () => {
    const name = hookName("tested");
    const hook = await createHook(org, name, ["webhook.disabled"]);
    const res = await org.api("POST", `/v1/webhooks/${hook.id}/test`);
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ type: "webhook.test", status: "pending", attempts: 0 });
    const { request, payload } = (await receivedVerified(name, hook.secret, 1))[0]!;
    expect(payload).toMatchObject({ type: "webhook.test", data: { webhookId: hook.id } });
    expect(request.headers["webhook-id"]).toBe(res.body.eventId);
    await waitFor("the test delivery to be recorded", async () => {
      const [d] = await deliveries(org, hook.id);
      return d?.status === "delivered" && d.attempts === 1;
    });
  });

  it("a hanging receiver does not delay another endpoint's deliveries", async () => {
    const slow = hookName("hanging");
    const fast = hookName("prompt");
    await receiver.behave(slow, { hang: true });
    const hanging = await createHook(org, slow, ["repository.created"]);
    const prompt = await createHook(org, fast, ["repository.created"]);
    await addRepository(org, `both-${fast}`);

    await receivedVerified(fast, prompt.secret, 1);
    await waitFor("the prompt endpoint's delivery to be recorded", async () => {
      const [d] = await deliveries(org, prompt.id);
      return d?.status === "delivered";
    });
    // Meanwhile the hanging receiver holds the other delivery open, unanswered.
    const held = await waitFor("the hanging receiver to hold a request", async () => {
      const got = await receiver.received(slow);
      return got.hanging === 1 && got;
    });
    expect(held.requests).toHaveLength(1);
    const [pending] = await deliveries(org, hanging.id);
    expect(pending).toMatchObject({ status: "pending", attempts: 0 });

    await receiver.release(slow);
    await waitFor("the released delivery to be recorded", async () => {
      const [d] = await deliveries(org, hanging.id);
      return d?.status === "delivered" && d.lastResponseStatus === 200;
    });
    new Webhook(hanging.secret).verify(held.requests[0]!.body, held.requests[0]!.headers);
  });

  it("a change that commits while an older transaction is still open is delivered once it ends", async () => {
    const name = hookName("held-back");
    const hook = await createHook(org, name, ["repository.created"]);
    // A transaction that took its id first and stays open: the event log is final only below it.
    const db = openDb(bindings());
    let began!: () => void;
    let release!: () => void;
    const started = new Promise<void>((r) => {
      began = r;
    });
    const held = new Promise<void>((r) => {
      release = r;
    });
    const open = db.db.transaction(async (tx) => {
      await tx.execute(sql`select pg_current_xact_id()`);
      began();
      await held;
    });
    try {
      await started;
      await addRepository(org, `held-${name}`);
      // The hub has read the log since (and could not see the change yet).
      const hub = env.ORGANIZATION_HUB.get(env.ORGANIZATION_HUB.idFromName(org.organizationId));
      await hub.eventsHead({ source: bindings(), organizationId: org.organizationId, pollMs: 0 });
      expect((await receiver.received(name)).requests).toEqual([]);
    } finally {
      release();
      await open;
      await db.close();
    }
    // Nobody waits on this organization's hub and nothing else changes: its own follow-up reads find it.
    const { payload } = (await receivedVerified(name, hook.secret, 1))[0]!;
    expect(payload.data.data.name).toBe(`held-${name}`);
  });

  it("another organization's events never reach this organization's endpoint, nor its API", async () => {
    const name = hookName("isolated");
    const hook = await createHook(org, name, ["*"]);
    // The other organization is busy; then this one makes one change, last.
    await addRepository(other, `foreign-${name}`);
    expect((await other.api("POST", "/v1/tokens", { name: "foreign" })).status).toBe(201);
    const marker = await addRepository(org, `marker-${name}`);

    const got = await waitFor("the marker's delivery", async () => {
      const { requests } = await receiver.received(name);
      return requests.some((r) => r.body.includes(marker)) && requests;
    });
    const payloads = got.map(
      (r: ReceivedRequest) => new Webhook(hook.secret).verify(r.body, r.headers) as any,
    );
    expect(payloads.every((p) => p.data.organizationId === org.organizationId)).toBe(true);
    expect(JSON.stringify(got)).not.toContain(other.organizationId);
    expect(JSON.stringify(got)).not.toContain(`foreign-${name}`);

    // Nor can the other organization see, test or delete it.
    expect((await other.api("GET", "/v1/webhooks")).body.items.map((h: any) => h.id)).not.toContain(hook.id);
    expect((await other.api("GET", `/v1/webhooks/${hook.id}/deliveries`)).status).toBe(404);
    expect((await other.api("POST", `/v1/webhooks/${hook.id}/test`)).status).toBe(404);
    expect((await other.api("DELETE", `/v1/webhooks/${hook.id}`)).status).toBe(404);
  });
});

describe("the endpoint's life and its secret", () => {
  it("records webhook.created and webhook.deleted; the secret is in no answer after the first, no row and no log", async () => {
    const logged: string[] = [];
    const keep = (...args: unknown[]) => {
      logged.push(args.map((a) => (a instanceof Error ? `${a.message} ${a.stack}` : String(a))).join(" "));
    };
    for (const level of ["log", "error", "warn", "info", "debug"] as const)
      vi.spyOn(console, level).mockImplementation(keep);

    const name = hookName("secret");
    await receiver.behave(name, { failFirst: 1 });
    const hook = await createHook(org, name, ["repository.created"]);
    const key = hook.secret.slice("whsec_".length);
    await addRepository(org, `secret-${name}`);
    // A failed attempt, then a test delivery that succeeds: the paths that might log.
    await waitFor("the failed attempt", async () => (await deliveries(org, hook.id))[0]?.attempts === 1);
    await org.api("POST", `/v1/webhooks/${hook.id}/test`);
    await receivedVerified(name, hook.secret, 2);

    const answers = [
      await org.api("GET", "/v1/webhooks"),
      await org.api("GET", `/v1/webhooks/${hook.id}/deliveries`),
      await org.api("GET", "/v1/events?limit=500"),
    ];
    for (const a of answers) expect(a.status).toBe(200);
    expect(answers[0]!.body.items.find((h: any) => h.id === hook.id)).not.toHaveProperty("secret");
    const db = openDb(bindings());
    try {
      const [row] = await db.db
        .select()
        .from(schema.webhookEndpoints)
        .where(eq(schema.webhookEndpoints.id, hook.id));
      expect(row!.secretKeyId).toBe("test");
      for (const text of [
        ...answers.map((a) => JSON.stringify(a.body)),
        JSON.stringify(row, (_, v) => (typeof v === "bigint" ? `${v}` : v)),
        logged.join("\n"),
      ]) {
        expect(text).not.toContain(hook.secret);
        expect(text).not.toContain(key);
      }
    } finally {
      await db.close();
    }

    expect((await org.api("DELETE", `/v1/webhooks/${hook.id}`)).status).toBe(204);
    expect((await org.api("DELETE", `/v1/webhooks/${hook.id}`)).status).toBe(404);
    expect((await org.api("GET", `/v1/webhooks/${hook.id}/deliveries`)).status).toBe(404);
    // Read once both are final (the event log shows only transactions older than any still running).
    const lifecycle = await waitFor("both lifecycle events", async () => {
      const items = (await org.api("GET", "/v1/events?type=webhook.created,webhook.deleted&limit=500")).body
        .items as any[];
      const mine = items.filter((e) => e.data.webhookId === hook.id);
      return mine.length === 2 && mine;
    });
    expect(lifecycle.map((e) => [e.type, e.actor.userId])).toEqual([
      ["webhook.created", org.userId],
      ["webhook.deleted", org.userId],
    ]);
  });
});
