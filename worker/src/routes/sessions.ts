import { clientTypeSchema, clientTypeValues, operations as ops } from "@cw/contracts";
import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { validationProblem } from "../domain/problems.ts";
import type { AppEnv } from "../http/app-env.ts";
import { commonProblems, json, jsonBody, operation, problem } from "../http/openapi-helpers.ts";
import { IdParam, SessionParams } from "../http/params.ts";
import {
  heartbeatSession,
  joinSession,
  leaveSession,
  listSessions,
  openPresenceSocket,
} from "../services/sessions.ts";

const notFound = { 404: problem("No such workspace or session") };

const join = createRoute({
  ...operation("joinSession"),
  request: { params: IdParam, body: jsonBody(ops.joinSession.body) },
  responses: {
    201: json(ops.joinSession.response, "Joined; heartbeat every heartbeatSeconds"),
    ...commonProblems,
    ...notFound,
  },
});

const heartbeat = createRoute({
  ...operation("heartbeatSession"),
  request: { params: SessionParams },
  responses: { 204: { description: "Recorded" }, ...commonProblems, ...notFound },
});

const leave = createRoute({
  ...operation("leaveSession"),
  request: { params: SessionParams },
  responses: { 204: { description: "Left" }, ...commonProblems, ...notFound },
});

const list = createRoute({
  ...operation("listSessions"),
  request: { params: IdParam },
  responses: { 200: json(ops.listSessions.response, "Live sessions"), ...commonProblems, ...notFound },
});

export function sessionRoutes(app: OpenAPIHono<AppEnv>) {
  app.openapi(join, async (c) => {
    const { id } = c.req.valid("param");
    return c.json(await joinSession(c.get("deps"), c.get("caller"), id, c.req.valid("json").clientType), 201);
  });
  app.openapi(heartbeat, async (c) => {
    const { id, sessionId } = c.req.valid("param");
    await heartbeatSession(c.get("deps"), c.get("caller"), id, sessionId);
    return c.body(null, 204);
  });
  app.openapi(leave, async (c) => {
    const { id, sessionId } = c.req.valid("param");
    await leaveSession(c.get("deps"), c.get("caller"), id, sessionId);
    return c.body(null, 204);
  });
  // WebSocket presence (not in the OpenAPI document, which cannot describe it): while the socket
  // is open the caller counts as connected, with no heartbeats needed.
  app.get("/v1/workspaces/:id/presence", async (c) => {
    const id = IdParam.safeParse({ id: c.req.param("id") });
    if (!id.success) throw validationProblem([{ field: "path.id", message: "must be a UUID" }]);
    if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
      throw validationProblem([{ field: "header.Upgrade", message: "must be websocket" }], 426);
    }
    const clientType = clientTypeSchema.safeParse(c.req.query("clientType") ?? "desktop");
    if (!clientType.success)
      throw validationProblem([{ field: "query.clientType", message: clientTypeValues.join(", ") }]);
    return openPresenceSocket(c.get("deps"), c.get("caller"), id.data.id, clientType.data, c.req.raw);
  });

  app.openapi(list, async (c) =>
    c.json({ items: await listSessions(c.get("deps"), c.get("caller"), c.req.valid("param").id) }, 200),
  );
}
