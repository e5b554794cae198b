import { type OperationId, operations, Problem } from "@cw/contracts";
import type { z } from "@hono/zod-openapi";

/** The contract's facts about an operation, as `createRoute` takes them: id, method, path, summary, tag. */
export function operation<K extends OperationId>(operationId: K) {
  const { method, path, summary, tag } = operations[operationId];
  return { operationId, method, path, summary, tags: [tag], security };
}

export const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});

export const problem = (description: string) => ({
  description,
  content: { "application/problem+json": { schema: Problem } },
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
