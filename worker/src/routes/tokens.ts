import { operations as ops } from "@cw/contracts";
import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../http/app-env.ts";
import { commonProblems, json, jsonBody, operation, problem } from "../http/openapi-helpers.ts";
import { IdParam } from "../http/params.ts";
import { createToken, deleteToken, listTokens } from "../services/api-tokens.ts";

const create = createRoute({
  ...operation("createToken"),
  request: { body: jsonBody(ops.createToken.body) },
  responses: {
    201: json(ops.createToken.response, "The new token; its secret is shown only here"),
    ...commonProblems,
    422: problem("expiresAt beyond what is allowed, or the organization's token limit reached"),
  },
});

const list = createRoute({
  ...operation("listTokens"),
  responses: {
    200: json(ops.listTokens.response, "The caller's tokens (prefixes only)"),
    ...commonProblems,
  },
});

const remove = createRoute({
  ...operation("deleteToken"),
  request: { params: IdParam },
  responses: {
    204: { description: "Revoked" },
    ...commonProblems,
    404: problem("No such token of the caller's"),
  },
});

export function tokenRoutes(app: OpenAPIHono<AppEnv>) {
  app.openapi(create, async (c) =>
    c.json(await createToken(c.get("deps"), c.get("caller"), c.req.valid("json")), 201),
  );
  app.openapi(list, async (c) => c.json({ items: await listTokens(c.get("deps"), c.get("caller")) }, 200));
  app.openapi(remove, async (c) => {
    await deleteToken(c.get("deps"), c.get("caller"), c.req.valid("param").id);
    return c.body(null, 204);
  });
}
