import { operations as ops } from "@cw/contracts";
import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../http/app-env.ts";
import { commonProblems, json, operation } from "../http/openapi-helpers.ts";
import { whoAmI } from "../services/me.ts";

const me = createRoute({
  ...operation("getMe"),
  responses: {
    200: json(ops.getMe.response, "The caller's user, organization and token"),
    ...commonProblems,
  },
});

export function meRoutes(app: OpenAPIHono<AppEnv>) {
  app.openapi(me, async (c) => c.json(await whoAmI(c.get("deps"), c.get("caller")), 200));
}
