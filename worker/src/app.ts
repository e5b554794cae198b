import { apiTags, operations } from "@cw/contracts";
import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import { notFound, validationProblem } from "./domain/problems.ts";
import type { AppEnv } from "./http/app-env.ts";
import { requireToken, withDeps } from "./http/context.ts";
import { onError, problemResponse, zodToFieldErrors } from "./http/errors.ts";
import { json, operation } from "./http/openapi-helpers.ts";
import { meRoutes } from "./routes/me.ts";
import { repositoryRoutes } from "./routes/repositories.ts";
import { sessionRoutes } from "./routes/sessions.ts";
import { tokenRoutes } from "./routes/tokens.ts";
import { workspaceRoutes } from "./routes/workspaces.ts";
import { shapeRoutes } from "./shape/routes.ts";

const health = createRoute({
  ...operation("getHealth"),
  security: [],
  responses: { 200: json(operations.getHealth.response, "The API is up") },
});

export function createApp() {
  const app = new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) throw validationProblem(zodToFieldErrors(result.error, result.target));
    },
  });
  app.onError(onError);
  app.notFound((c) => problemResponse(c, notFound("route")));

  app.openapi(health, (c) => c.json({ ok: true as const }, 200));
  app.openAPIRegistry.registerComponent("securitySchemes", "bearer", {
    type: "http",
    scheme: "bearer",
    description: "An API token (POST /v1/tokens, or the admin command)",
  });
  // Servers: the origin the document was fetched from, so tools call the API they read it from.
  app.doc31("/openapi.json", (c) => ({
    openapi: "3.1.0",
    info: {
      title: "Cloud workspaces API",
      version: "1.0.0",
      description: "Errors are application/problem+json (RFC 9457).",
    },
    servers: [{ url: new URL(c.req.url).origin, description: "This API" }],
    security: [{ bearer: [] }],
    tags: Object.entries(apiTags).map(([name, description]) => ({ name, description })),
  }));

  app.use("/v1/*", withDeps, requireToken);
  repositoryRoutes(app);
  workspaceRoutes(app);
  sessionRoutes(app);
  tokenRoutes(app);
  meRoutes(app);
  shapeRoutes(app);
  return app;
}
