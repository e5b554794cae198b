import { operations as ops } from "@cw/contracts";
import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../http/app-env.ts";
import { commonProblems, json, jsonBody, operation, problem } from "../http/openapi-helpers.ts";
import { IdParam } from "../http/params.ts";
import { createGitCredential, deleteGitCredential, listGitCredentials } from "../services/git-credentials.ts";

const create = createRoute({
  ...operation("createGitCredential"),
  request: { body: jsonBody(ops.createGitCredential.body) },
  responses: {
    201: json(ops.createGitCredential.response, "Stored encrypted; the secret is never shown again"),
    ...commonProblems,
    403: problem("An organization credential, and the caller is not an owner"),
    422: problem("The organization's git credential limit reached"),
  },
});

const list = createRoute({
  ...operation("listGitCredentials"),
  responses: {
    200: json(ops.listGitCredentials.response, "The caller's credentials and the organization's"),
    ...commonProblems,
  },
});

const remove = createRoute({
  ...operation("deleteGitCredential"),
  request: { params: IdParam },
  responses: {
    204: { description: "Deleted; no VM receives it any more" },
    ...commonProblems,
    403: problem("An organization credential, and the caller is not an owner"),
    404: problem("No such credential of the caller's or the organization's"),
  },
});

export function gitCredentialRoutes(app: OpenAPIHono<AppEnv>) {
  app.openapi(create, async (c) =>
    c.json(await createGitCredential(c.get("deps"), c.get("caller"), c.req.valid("json")), 201),
  );
  app.openapi(list, async (c) =>
    c.json({ items: await listGitCredentials(c.get("deps"), c.get("caller")) }, 200),
  );
  app.openapi(remove, async (c) => {
    await deleteGitCredential(c.get("deps"), c.get("caller"), c.req.valid("param").id);
    return c.body(null, 204);
  });
}
