import { operations as ops } from "@cw/contracts";
import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../http/app-env.ts";
import { commonProblems, json, jsonBody, operation, problem } from "../http/openapi-helpers.ts";
import { createRepository, listRepositories } from "../services/repositories.ts";

const create = createRoute({
  ...operation("createRepository"),
  request: { body: jsonBody(ops.createRepository.body) },
  responses: {
    201: json(ops.createRepository.response, "Registered"),
    ...commonProblems,
    409: problem("A repository with that name exists"),
  },
});

const list = createRoute({
  ...operation("listRepositories"),
  responses: {
    200: json(ops.listRepositories.response, "The organization's repositories"),
    ...commonProblems,
  },
});

export function repositoryRoutes(app: OpenAPIHono<AppEnv>) {
  app.openapi(create, async (c) =>
    c.json(await createRepository(c.get("deps"), c.get("caller"), c.req.valid("json")), 201),
  );
  app.openapi(list, async (c) =>
    c.json({ items: await listRepositories(c.get("deps"), c.get("caller")) }, 200),
  );
}
