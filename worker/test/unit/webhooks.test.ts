import type { Event } from "@cw/contracts";
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import {
  afterAttempt,
  describeOutcome,
  endpointFailedThroughout,
  eventFilterOf,
  RETRY_WINDOW_MS,
  retryDelayMs,
  wantsEvent,
} from "../../src/domain/webhook-delivery.ts";
import { newWebhookSecret, webhookHeaders } from "../../src/domain/webhook-signature.ts";
import { judgeWebhookUrl } from "../../src/domain/webhook-url.ts";
import { WebhookWake } from "../../src/hub/webhook-wake.ts";

const t0 = new Date("2026-03-01T10:00:00.000Z");
const at = (ms: number) => new Date(t0.getTime() + ms);
const failed = { kind: "answered", status: 500 } as const;

describe("the retry schedule", () => {
  it("waits 10 s, then three times longer each time, at most 4 h", () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 20].map(retryDelayMs)).toEqual([
      10_000, 30_000, 90_000, 270_000, 810_000, 2_430_000, 7_290_000, 14_400_000, 14_400_000,
    ]);
  });

  it("delivers on any 2xx; retries anything else until 24 hours have passed, the last attempt at the 24th hour", () => {
    const d = { createdAt: t0, attempts: 1, test: false };
    expect(afterAttempt(d, { kind: "answered", status: 202 }, t0)).toEqual({ status: "delivered" });
    for (const outcome of [
      failed,
      { kind: "answered", status: 301 },
      { kind: "timeout", afterMs: 10_000 },
      { kind: "unreachable" },
      { kind: "refused", message: "must be an https:// URL" },
      { kind: "unresolved" },
      { kind: "unsigned" },
    ] as const)
      expect(afterAttempt(d, outcome, t0)).toEqual({ status: "pending", nextAttemptAt: at(10_000) });
    // Close to the end the wait is cut to the deadline; at the deadline it is given up.
    expect(afterAttempt({ ...d, attempts: 12 }, failed, at(RETRY_WINDOW_MS - 60_000))).toEqual({
      status: "pending",
      nextAttemptAt: at(RETRY_WINDOW_MS),
    });
    expect(afterAttempt({ ...d, attempts: 13 }, failed, at(RETRY_WINDOW_MS))).toEqual({ status: "failed" });
  });

  it("tries a test delivery once", () => {
    expect(afterAttempt({ createdAt: t0, attempts: 1, test: true }, failed, t0)).toEqual({
      status: "failed",
    });
  });

  it("disables an endpoint only when nothing succeeded since the given-up delivery was queued", () => {
    const d = { createdAt: t0, test: false };
    expect(endpointFailedThroughout({ lastSuccessAt: null }, d)).toBe(true);
    expect(endpointFailedThroughout({ lastSuccessAt: at(-1) }, d)).toBe(true);
    expect(endpointFailedThroughout({ lastSuccessAt: at(HOUR_MS) }, d)).toBe(false);
    expect(endpointFailedThroughout({ lastSuccessAt: null }, { ...d, test: true })).toBe(false);
  });

  it("says why an attempt failed in our words", () => {
    expect(describeOutcome({ kind: "answered", status: 204 })).toBeNull();
    expect(describeOutcome(failed)).toBe("answered 500");
    expect(describeOutcome({ kind: "answered", status: 302 })).toBe(
      "answered 302 (redirects are not followed)",
    );
    expect(describeOutcome({ kind: "timeout", afterMs: 10_000 })).toBe("no answer within 10 s");
  });
});

const HOUR_MS = 3600_000;

describe("subscriptions", () => {
  it('"*" wants every type; a list only its own', () => {
    expect(wantsEvent(["*"], "hold.created")).toBe(true);
    expect(wantsEvent(["hold.created", "token.created"], "token.created")).toBe(true);
    expect(wantsEvent(["hold.created"], "token.created")).toBe(false);
    expect(eventFilterOf(["*"])).toEqual({});
    expect(eventFilterOf(["hold.created"])).toEqual({ types: ["hold.created"] });
  });
});

describe("the webhook URL policy", () => {
  it.each([
    ["https://hooks.example.com/cw", true],
    ["https://93.184.216.34/cw", true],
    ["http://hooks.example.com/cw", false],
    ["https://user:secret@hooks.example.com/cw", false],
    ["https://127.0.0.1/cw", false],
    ["https://[::1]/cw", false],
    ["https://169.254.169.254/latest", false],
    ["https://10.1.2.3/cw", false],
    ["https://0x7f000001/cw", false],
    ["https://localhost/cw", false],
    ["ftp://hooks.example.com/cw", false],
    ["not a url", false],
  ])("production: %s → %s", (url, ok) => {
    expect(judgeWebhookUrl(url, false).ok).toBe(ok);
  });

  it("local: any http or https URL, still no other scheme", () => {
    expect(judgeWebhookUrl("http://127.0.0.1:9000/hook", true)).toEqual({ ok: true, host: null });
    expect(judgeWebhookUrl("file:///etc/passwd", true).ok).toBe(false);
  });
});

describe("Standard Webhooks signing", () => {
  it("makes whsec_ secrets of 32 random bytes that the standardwebhooks package verifies deliveries with", async () => {
    const secret = newWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(newWebhookSecret()).not.toBe(secret);
    const body = JSON.stringify({ type: "hold.created", timestamp: t0.toISOString(), data: { x: 1 } });
    const now = new Date();
    const headers = await webhookHeaders(secret, "7f1c…-id", now, body);
    expect(headers["webhook-timestamp"]).toBe(String(Math.floor(now.getTime() / 1000)));
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
    expect(() => new Webhook(newWebhookSecret()).verify(body, headers)).toThrow(/signature/i);
    expect(() => new Webhook(secret).verify(`${body} `, headers)).toThrow(/signature/i);
  });
});

describe("the hub's webhook wake", () => {
  const event = (type: Event["type"]) => ({ type }) as Event;

  function wake(endpoints: { id: string; eventTypes: string[] }[]) {
    const loads: number[] = [];
    const poked: string[] = [];
    const w = new WebhookWake(
      async () => {
        loads.push(1);
        return endpoints;
      },
      async (id) => {
        poked.push(id);
      },
    );
    return { w, loads, poked };
  }

  it("wakes the endpoints that want one of the new events, reading the list once", async () => {
    const { w, loads, poked } = wake([
      { id: "all", eventTypes: ["*"] },
      { id: "holds", eventTypes: ["hold.created"] },
      { id: "tokens", eventTypes: ["token.created"] },
    ]);
    await w.wake([event("hold.created")]);
    await w.wake([event("token.created"), event("hold.released")]);
    await w.wake([]);
    expect(poked).toEqual(["all", "holds", "all", "tokens"]);
    expect(loads).toHaveLength(1);
    expect(await w.any()).toBe(true);
  });

  it("reads the list again after a webhook.* event or a writer's notice; wakes every endpoint at a start", async () => {
    const { w, loads, poked } = wake([{ id: "tokens", eventTypes: ["token.created"] }]);
    await w.wake([event("webhook.created")]);
    expect(poked).toEqual([]);
    w.forget();
    await w.wake("all");
    expect(poked).toEqual(["tokens"]);
    expect(loads).toHaveLength(2);
  });

  it("has no endpoints to wake in an organization without any", async () => {
    const { w, poked } = wake([]);
    expect(await w.any()).toBe(false);
    await w.wake("all");
    expect(poked).toEqual([]);
  });
});
