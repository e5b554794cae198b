import { operations as ops } from "@cw/contracts";
import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../http/app-env.ts";
import { commonProblems, json, jsonBody, operation, problem } from "../http/openapi-helpers.ts";
import { IdParam } from "../http/params.ts";
import {
  createWebhook,
  deleteWebhook,
  enableWebhook,
  listWebhookDeliveries,
  listWebhooks,
  queueTestDelivery,
} from "../services/webhooks.ts";

const create = createRoute({
  ...operation("createWebhook"),
  description:
    "Deliveries are POSTed as Standard Webhooks: headers `webhook-id` (the event's id), " +
    "`webhook-timestamp` and `webhook-signature` (`v1,` + base64 HMAC-SHA256 of `id.timestamp.body` " +
    "under the secret), body `{type, timestamp, data}` with the Event as `data`. A delivery not " +
    "answered with a 2xx is retried with exponential backoff for 24 hours; an endpoint failing " +
    "for that long is disabled (a `webhook.disabled` event).",
  request: { body: jsonBody(ops.createWebhook.body) },
  responses: {
    201: json(ops.createWebhook.response, "The endpoint, with its signing secret (never shown again)"),
    ...commonProblems,
    422: problem("A URL the webhook policy refuses, or the organization's webhook limit reached"),
    503: problem("The URL's host could not be checked (DNS unavailable); try again"),
  },
});

const list = createRoute({
  ...operation("listWebhooks"),
  responses: {
    200: json(ops.listWebhooks.response, "The organization's endpoints, newest first"),
    ...commonProblems,
  },
});

const remove = createRoute({
  ...operation("deleteWebhook"),
  request: { params: IdParam },
  responses: {
    204: { description: "Deleted, with its deliveries; nothing more is sent to it" },
    ...commonProblems,
    404: problem("No such endpoint in the organization"),
  },
});

const enable = createRoute({
  ...operation("enableWebhook"),
  description:
    "A disabled endpoint is enabled again (its URL checked by the policy as at creation) and " +
    "receives the events recorded from now on; those of while it was disabled are not sent. " +
    "Enabling an enabled endpoint changes nothing. Records `webhook.enabled`.",
  request: { params: IdParam },
  responses: {
    200: json(ops.enableWebhook.response, "The endpoint, enabled"),
    ...commonProblems,
    404: problem("No such endpoint in the organization"),
    422: problem("The endpoint's URL is one the webhook policy refuses now"),
    503: problem("The URL's host could not be checked (DNS unavailable); try again"),
  },
});

const test = createRoute({
  ...operation("testWebhook"),
  request: { params: IdParam },
  responses: {
    202: json(ops.testWebhook.response, "Queued and being sent; its outcome shows in the deliveries"),
    ...commonProblems,
    404: problem("No such endpoint in the organization"),
  },
});

const deliveries = createRoute({
  ...operation("listWebhookDeliveries"),
  request: { params: IdParam, query: ops.listWebhookDeliveries.query },
  responses: {
    200: json(ops.listWebhookDeliveries.response, "A page, newest first; pass nextCursor as cursor"),
    ...commonProblems,
    404: problem("No such endpoint in the organization"),
  },
});

export function webhookRoutes(app: OpenAPIHono<AppEnv>) {
  app.openapi(create, async (c) =>
    c.json(await createWebhook(c.get("deps"), c.get("caller"), c.req.valid("json")), 201),
  );
  app.openapi(list, async (c) => c.json({ items: await listWebhooks(c.get("deps"), c.get("caller")) }, 200));
  app.openapi(remove, async (c) => {
    await deleteWebhook(c.get("deps"), c.get("caller"), c.req.valid("param").id);
    return c.body(null, 204);
  });
  app.openapi(enable, async (c) =>
    c.json(await enableWebhook(c.get("deps"), c.get("caller"), c.req.valid("param").id), 200),
  );
  app.openapi(test, async (c) =>
    c.json(await queueTestDelivery(c.get("deps"), c.get("caller"), c.req.valid("param").id), 202),
  );
  app.openapi(deliveries, async (c) =>
    c.json(
      await listWebhookDeliveries(
        c.get("deps"),
        c.get("caller"),
        c.req.valid("param").id,
        c.req.valid("query"),
      ),
      200,
    ),
  );
}
