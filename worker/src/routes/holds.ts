import { operations as ops } from "@cw/contracts";
import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../http/app-env.ts";
import { commonProblems, json, jsonBody, operation, problem } from "../http/openapi-helpers.ts";
import { HoldParams, IdParam } from "../http/params.ts";
import { createHold, listHolds, releaseHold } from "../services/holds.ts";

const notFound = { 404: problem("No such workspace in the caller's organization, or no such live hold") };

const create = createRoute({
  ...operation("createHold"),
  request: { params: IdParam, body: jsonBody(ops.createHold.body) },
  responses: {
    201: json(ops.createHold.response, "The hold; the workspace counts as active until it ends"),
    ...commonProblems,
    ...notFound,
    409: problem("The workspace is not running or provisioning (resume it first)"),
    429: problem("The workspace has MAX_HOLDS_PER_WORKSPACE live holds"),
  },
});

const list = createRoute({
  ...operation("listHolds"),
  request: { params: IdParam },
  responses: {
    200: json(ops.listHolds.response, "Live holds, soonest end first"),
    ...commonProblems,
    ...notFound,
  },
});

const remove = createRoute({
  ...operation("deleteHold"),
  request: { params: HoldParams },
  responses: { 204: { description: "Released" }, ...commonProblems, ...notFound },
});

export function holdRoutes(app: OpenAPIHono<AppEnv>) {
  app.openapi(create, async (c) => {
    const { id } = c.req.valid("param");
    return c.json(await createHold(c.get("deps"), c.get("caller"), id, c.req.valid("json")), 201);
  });
  app.openapi(list, async (c) =>
    c.json({ items: await listHolds(c.get("deps"), c.get("caller"), c.req.valid("param").id) }, 200),
  );
  app.openapi(remove, async (c) => {
    const { id, holdId } = c.req.valid("param");
    await releaseHold(c.get("deps"), c.get("caller"), id, holdId);
    return c.body(null, 204);
  });
}
