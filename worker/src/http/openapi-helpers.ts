import type { z } from "@hono/zod-openapi";
import { ProblemDetails } from "./schemas.ts";

export const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});

export const problem = (description: string) => ({
  description,
  content: { "application/problem+json": { schema: ProblemDetails } },
});

export const jsonBody = <T extends z.ZodType>(schema: T) => ({
  required: true,
  content: { "application/json": { schema } },
});

/** Errors every authenticated route can answer. */
export const commonProblems = {
  400: problem("Invalid input; `errors` names each offending field"),
  401: problem("Missing or unknown bearer token"),
};

export const security = [{ bearer: [] }];
