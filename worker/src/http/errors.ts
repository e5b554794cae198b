import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ZodError } from "zod";
import { ConfigError } from "../config.ts";
import { type FieldError, Problem, validationProblem } from "../domain/problems.ts";
import { databaseUnavailable, logError } from "../safe-log.ts";

const targetPrefix: Record<string, string> = {
  json: "body",
  param: "path",
  query: "query",
  header: "header",
};

export function zodToFieldErrors(error: ZodError, target: string): FieldError[] {
  const prefix = targetPrefix[target] ?? target;
  return error.issues.flatMap((issue) => {
    const keys = issue.code === "unrecognized_keys" ? issue.keys : [undefined];
    return keys.map((key) => ({
      field: [prefix, ...issue.path.map(String), ...(key ? [key] : [])].join("."),
      message: issue.message,
    }));
  });
}

export function problemResponse(c: Context, problem: Problem): Response {
  const headers: Record<string, string> = { "content-type": "application/problem+json" };
  if (problem.status === 401) headers["www-authenticate"] = 'Bearer realm="cloud-workspaces"';
  return new Response(JSON.stringify(problem.toJSON(new URL(c.req.url).pathname)), {
    status: problem.status,
    headers,
  });
}

/** The one place errors become responses: known problems as they are, anything else as a bare 500. */
export function onError(err: Error, c: Context): Response {
  if (err instanceof Problem) return problemResponse(c, err);
  if (err instanceof HTTPException && err.status < 500) {
    const field = /json/i.test(err.message) ? "body" : "request";
    return problemResponse(c, validationProblem([{ field, message: err.message }], err.status));
  }
  if (err instanceof ConfigError) {
    console.error(err.message);
    return problemResponse(c, new Problem(500, "misconfigured", "Server misconfigured", err.message));
  }
  logError(`unhandled error in ${c.req.method} ${new URL(c.req.url).pathname}:`, err);
  if (databaseUnavailable(err)) {
    // Nothing was wrong with the request: the database is out of connections or restarting.
    const res = problemResponse(
      c,
      new Problem(503, "unavailable", "Service unavailable", "the database is busy; try again shortly"),
    );
    res.headers.set("retry-after", "2");
    return res;
  }
  return problemResponse(c, new Problem(500, "internal", "Internal error", "unexpected server error"));
}
