import { operations as ops, UnsavedWorkProblem } from "@cw/contracts";
import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { decodeCursor } from "../domain/pagination.ts";
import { validationProblem } from "../domain/problems.ts";
import { workspaceView } from "../domain/workspace-view.ts";
import type { AppEnv } from "../http/app-env.ts";
import { commonProblems, json, jsonBody, operation, problem } from "../http/openapi-helpers.ts";
import { IdempotencyHeader, IdParam } from "../http/params.ts";
import { issueSshCredentials } from "../services/ssh-access.ts";
import { createWorkspace } from "../services/workspace-create.ts";
import { applyAction, deleteWorkspace } from "../services/workspace-lifecycle.ts";
import {
  getWorkspace,
  getWorkspaceWhen,
  listWorkspaces,
  updateWorkspace,
} from "../services/workspace-queries.ts";

const notFound = { 404: problem("No such workspace in the caller's organization") };

const create = createRoute({
  ...operation("createWorkspace"),
  request: { headers: IdempotencyHeader, body: jsonBody(ops.createWorkspace.body) },
  responses: {
    202: json(
      ops.createWorkspace.response,
      "Accepted; the workspace is provisioning and becomes running or error",
    ),
    ...commonProblems,
    422: problem("Unknown repository, unavailable provider, or a reused Idempotency-Key"),
  },
});

const list = createRoute({
  ...operation("listWorkspaces"),
  request: { query: ops.listWorkspaces.query },
  responses: {
    200: json(ops.listWorkspaces.response, "A page, newest first; pass nextCursor as cursor"),
    ...commonProblems,
  },
});

const get = createRoute({
  ...operation("getWorkspace"),
  request: { params: IdParam, query: ops.getWorkspace.query },
  responses: { 200: json(ops.getWorkspace.response, "The workspace"), ...commonProblems, ...notFound },
});

const patch = createRoute({
  ...operation("updateWorkspace"),
  request: { params: IdParam, body: jsonBody(ops.updateWorkspace.body) },
  responses: { 200: json(ops.updateWorkspace.response, "Updated"), ...commonProblems, ...notFound },
});

const remove = createRoute({
  ...operation("deleteWorkspace"),
  request: { params: IdParam, query: ops.deleteWorkspace.query },
  responses: {
    200: json(
      ops.deleteWorkspace.response,
      "Deleted with preserve=true: the branches its work was pushed to",
    ),
    204: { description: "Deleted, VM included" },
    ...commonProblems,
    ...notFound,
    409: {
      description:
        "unsaved-work: the VM holds work that exists nowhere else (listed), its push failed, or it could not be checked (unsavedWork null; only force deletes); or another operation is in progress",
      content: { "application/problem+json": { schema: UnsavedWorkProblem } },
    },
    502: problem("The provider failed; the workspace is now in error"),
  },
});

const actionRoute = (action: "pause" | "resume" | "stop") =>
  createRoute({
    ...operation(`${action}Workspace`),
    request: { params: IdParam },
    responses: {
      200: json(ops[`${action}Workspace`].response, "The workspace after the transition"),
      ...commonProblems,
      ...notFound,
      409: problem("Not allowed in the current status (names it and the allowed actions), or busy"),
      502: problem("The provider failed; the workspace is now in error"),
    },
  });

const ssh = createRoute({
  ...operation("createSshCredentials"),
  request: { params: IdParam },
  responses: {
    200: json(ops.createSshCredentials.response, "Short-lived SSH credentials"),
    ...commonProblems,
    ...notFound,
    409: problem("The workspace is not running"),
    502: problem("The provider failed to grant access"),
  },
});

export function workspaceRoutes(app: OpenAPIHono<AppEnv>) {
  app.openapi(create, async (c) => {
    const deps = c.get("deps");
    const key = c.req.valid("header")["idempotency-key"];
    const { row, repoUrl, created } = await createWorkspace(deps, c.get("caller"), c.req.valid("json"), key);
    // The create itself runs in the workspace's provisioner object, which outlives this request.
    if (created) c.get("defer")(deps.provisioning(row.id).start(row.id, repoUrl));
    return c.json(workspaceView(row, deps.now()), 202);
  });

  app.openapi(list, async (c) => {
    const query = c.req.valid("query");
    const cursor = query.cursor ? decodeCursor(query.cursor) : null;
    if (query.cursor && !cursor)
      throw validationProblem([{ field: "query.cursor", message: "not a valid cursor" }]);
    const deps = c.get("deps");
    const page = await listWorkspaces(deps, c.get("caller"), { ...query, cursor });
    const now = deps.now();
    return c.json(
      { items: page.items.map((row) => workspaceView(row, now)), nextCursor: page.nextCursor },
      200,
    );
  });

  app.openapi(get, async (c) => {
    const deps = c.get("deps");
    const { id } = c.req.valid("param");
    const { waitFor, timeoutSeconds } = c.req.valid("query");
    const row = waitFor
      ? await getWorkspaceWhen(deps, c.get("caller"), id, waitFor, timeoutSeconds * 1000)
      : await getWorkspace(deps, c.get("caller"), id);
    return c.json(workspaceView(row, deps.now()), 200);
  });

  app.openapi(patch, async (c) => {
    const row = await updateWorkspace(
      c.get("deps"),
      c.get("caller"),
      c.req.valid("param").id,
      c.req.valid("json"),
    );
    return c.json(workspaceView(row, c.get("deps").now()), 200);
  });

  app.openapi(remove, async (c) => {
    const { preserve, force } = c.req.valid("query");
    const deleted = await deleteWorkspace(c.get("deps"), c.get("caller"), c.req.valid("param").id, {
      preserve,
      force,
    });
    return preserve ? c.json(deleted, 200) : c.body(null, 204);
  });

  for (const action of ["pause", "resume", "stop"] as const) {
    app.openapi(actionRoute(action), async (c) => {
      const deps = c.get("deps");
      const row = await applyAction(deps, c.get("caller"), c.req.valid("param").id, action);
      return c.json(workspaceView(row, deps.now()), 200);
    });
  }

  app.openapi(ssh, async (c) =>
    c.json(await issueSshCredentials(c.get("deps"), c.get("caller"), c.req.valid("param").id), 200),
  );
}
