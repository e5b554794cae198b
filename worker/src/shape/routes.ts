import { operations } from "@cw/contracts";
import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../http/app-env.ts";
import { commonProblems, json, operation } from "../http/openapi-helpers.ts";
import { dbSourceOf } from "../hub/directory.ts";
import { serveBuiltin } from "./builtin-source.ts";
import { proxyToElectric } from "./electric-proxy.ts";
import { refuseUnsupported, ShapeQuery, toShapeRequest } from "./request.ts";

/** Log entries per built-in response; a larger backlog arrives in several responses. */
const BATCH_LIMIT = 1000;

const messages = operations.getShape.response;
const shapeRoute = createRoute({
  ...operation("getShape"),
  description:
    "Consumed by `ShapeStream`/`Shape` from `@electric-sql/client`. The server decides table, columns " +
    "and rows; the client picks the shape by name. Served by Electric when ELECTRIC_URL is set, " +
    "else from Postgres by the worker itself.",
  request: { query: ShapeQuery },
  responses: {
    200: json(messages, "Change and control messages; see the electric-* headers"),
    409: json(
      messages,
      "must-refetch: the handle expired; restart at offset -1 with the new electric-handle",
    ),
    ...commonProblems,
  },
});

export function shapeRoutes(app: OpenAPIHono<AppEnv>) {
  app.openapi(shapeRoute, async (c) => {
    const { config, db, now, hubs } = c.get("deps");
    const { organizationId } = c.get("caller");
    const url = new URL(c.req.url);
    const request = toShapeRequest(c.req.valid("query"), organizationId);
    refuseUnsupported(url);
    let res: Response;
    if (config.ELECTRIC_URL) {
      res = await proxyToElectric(
        url,
        request.shape,
        organizationId,
        {
          url: config.ELECTRIC_URL,
          sourceId: config.ELECTRIC_SOURCE_ID,
          secret: config.ELECTRIC_SOURCE_SECRET,
        },
        c.req.raw.signal,
      );
    } else {
      res = await serveBuiltin(request, {
        db,
        now,
        hub: hubs(organizationId),
        source: dbSourceOf(config),
        longPollMs: config.SHAPE_LONG_POLL_MS,
        pollMs: config.SHAPE_POLL_MS,
        batchLimit: BATCH_LIMIT,
      });
    }
    // The same URL answers differently per token: caches must key on it.
    res.headers.append("vary", "Authorization");
    return res as never;
  });
}
