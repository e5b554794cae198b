import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../http/app-env.ts";
import { commonProblems, json, jsonBody, problem, security } from "../http/openapi-helpers.ts";
import { CreateRepositoryBody, Repository } from "../http/schemas.ts";
import { createRepository, listRepositories } from "../services/repositories.ts";

const create = createRoute({
  method: "post",
  path: "/v1/repositories",
  tags: ["repositories"],
  security,
  request: { body: jsonBody(CreateRepositoryBody) },
  responses: {
    201: json(Repository, "Registered"),
    ...commonProblems,
    409: problem("A repository with that name exists"),
  },
});

const list = createRoute({
  method: "get",
  path: "/v1/repositories",
  tags: ["repositories"],
  security,
  responses: {
    200: json(z.object({ items: z.array(Repository) }), "The organization's repositories"),
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
