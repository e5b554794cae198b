import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../http/app-env.ts";
import { commonProblems, json, jsonBody, problem, security } from "../http/openapi-helpers.ts";
import { ApiToken, CreateTokenBody, IdParam, NewApiToken } from "../http/schemas.ts";
import { createToken, deleteToken, listTokens } from "../services/api-tokens.ts";

const create = createRoute({
  method: "post",
  path: "/v1/tokens",
  tags: ["tokens"],
  security,
  request: { body: jsonBody(CreateTokenBody) },
  responses: { 201: json(NewApiToken, "The new token; its secret is shown only here"), ...commonProblems },
});

const list = createRoute({
  method: "get",
  path: "/v1/tokens",
  tags: ["tokens"],
  security,
  responses: {
    200: json(z.object({ items: z.array(ApiToken) }), "The caller's tokens (prefixes only)"),
    ...commonProblems,
  },
});

const remove = createRoute({
  method: "delete",
  path: "/v1/tokens/{id}",
  tags: ["tokens"],
  security,
  request: { params: IdParam },
  responses: {
    204: { description: "Revoked" },
    ...commonProblems,
    404: problem("No such token of the caller's"),
  },
});

export function tokenRoutes(app: OpenAPIHono<AppEnv>) {
  app.openapi(create, async (c) =>
    c.json(await createToken(c.get("deps"), c.get("caller"), c.req.valid("json").name), 201),
  );
  app.openapi(list, async (c) => c.json({ items: await listTokens(c.get("deps"), c.get("caller")) }, 200));
  app.openapi(remove, async (c) => {
    await deleteToken(c.get("deps"), c.get("caller"), c.req.valid("param").id);
    return c.body(null, 204);
  });
}
