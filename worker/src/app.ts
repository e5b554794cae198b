import { apiTags, operations } from "@cw/contracts";
import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import { notFound, Problem, validationProblem } from "./domain/problems.ts";
import type { AppEnv } from "./http/app-env.ts";
import { requireCredential, withDeps } from "./http/context.ts";
import { onError, problemResponse, zodToFieldErrors } from "./http/errors.ts";
import { allowedMethods, SERVED_METHODS } from "./http/methods.ts";
import { json, operation } from "./http/openapi-helpers.ts";
import { eventRoutes } from "./routes/events.ts";
import { gitCredentialRoutes } from "./routes/git-credentials.ts";
import { holdRoutes } from "./routes/holds.ts";
import { meRoutes } from "./routes/me.ts";
import { repositoryRoutes } from "./routes/repositories.ts";
import { sessionRoutes } from "./routes/sessions.ts";
import { tokenRoutes } from "./routes/tokens.ts";
import { vmRoutes } from "./routes/vm.ts";
import { webhookRoutes } from "./routes/webhooks.ts";
import { workspaceRoutes } from "./routes/workspaces.ts";
import { shapeRoutes } from "./shape/routes.ts";

const health = createRoute({
  ...operation("getHealth"),
  security: [],
  responses: { 200: json(operations.getHealth.response, "The API is up") },
});

/** Far above any body the API takes (the largest is a repository's, under 3 KiB). */
const MAX_BODY_BYTES = 64 * 1024;

function methodNotAllowed(c: Context, allow: string[]) {
  const detail = allow.length
    ? `${c.req.method} is not allowed here; use ${allow.join(", ")}`
    : `${c.req.method} is not a method this API serves`;
  const res = problemResponse(c, new Problem(405, "method-not-allowed", "Method not allowed", detail));
  if (allow.length) res.headers.set("allow", allow.join(", "));
  return res;
}

export function createApp() {
  const app = new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) throw validationProblem(zodToFieldErrors(result.error, result.target));
    },
  });
  app.onError(onError);
  app.notFound((c) => {
    const allow = allowedMethods(app as never, new URL(c.req.url).pathname);
    return allow.length ? methodNotAllowed(c, allow) : problemResponse(c, notFound("route"));
  });
  app.use("*", async (c, next) => {
    if (!SERVED_METHODS.has(c.req.method)) return methodNotAllowed(c, []);
    await next();
  });
  app.use(
    "/v1/*",
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: (c) =>
        problemResponse(
          c,
          validationProblem([{ field: "body", message: `larger than ${MAX_BODY_BYTES} bytes` }], 413),
        ),
    }),
  );

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

  app.use("/v1/*", withDeps, requireCredential);
  repositoryRoutes(app);
  gitCredentialRoutes(app);
  vmRoutes(app);
  workspaceRoutes(app);
  sessionRoutes(app);
  holdRoutes(app);
  tokenRoutes(app);
  meRoutes(app);
  eventRoutes(app);
  webhookRoutes(app);
  shapeRoutes(app);
  return app;
}
