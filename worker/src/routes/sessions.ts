import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../http/app-env.ts";
import { commonProblems, json, jsonBody, problem, security } from "../http/openapi-helpers.ts";
import { IdParam, JoinedSession, JoinSessionBody, Session, SessionParams } from "../http/schemas.ts";
import { heartbeatSession, joinSession, leaveSession, listSessions } from "../services/sessions.ts";

const notFound = { 404: problem("No such workspace or session") };

const join = createRoute({
  method: "post",
  path: "/v1/workspaces/{id}/sessions",
  tags: ["sessions"],
  security,
  request: { params: IdParam, body: jsonBody(JoinSessionBody) },
  responses: {
    201: json(JoinedSession, "Joined; heartbeat every heartbeatSeconds"),
    ...commonProblems,
    ...notFound,
  },
});

const heartbeat = createRoute({
  method: "post",
  path: "/v1/workspaces/{id}/sessions/{sessionId}/heartbeat",
  tags: ["sessions"],
  security,
  request: { params: SessionParams },
  responses: { 204: { description: "Recorded" }, ...commonProblems, ...notFound },
});

const leave = createRoute({
  method: "delete",
  path: "/v1/workspaces/{id}/sessions/{sessionId}",
  tags: ["sessions"],
  security,
  request: { params: SessionParams },
  responses: { 204: { description: "Left" }, ...commonProblems, ...notFound },
});

const list = createRoute({
  method: "get",
  path: "/v1/workspaces/{id}/sessions",
  tags: ["sessions"],
  security,
  request: { params: IdParam },
  responses: {
    200: json(z.object({ items: z.array(Session) }), "Live sessions"),
    ...commonProblems,
    ...notFound,
  },
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
  app.openapi(list, async (c) =>
    c.json({ items: await listSessions(c.get("deps"), c.get("caller"), c.req.valid("param").id) }, 200),
  );
}
