import { z } from "zod";

/** One offending input: `body.name`, `query.limit`, `path.id`, `header.Idempotency-Key`… */
export const FieldError = z.object({ field: z.string(), message: z.string() }).meta({ id: "FieldError" });
export type FieldError = z.infer<typeof FieldError>;

/**
 * Every error answer (RFC 9457, `application/problem+json`). Some problems carry more members: a
 * refused transition its `workspaceStatus` and `allowedActions`, a provider failure the `workspace`.
 */
export const Problem = z
  .looseObject({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string().optional(),
    errors: z.array(FieldError).optional(),
  })
  .meta({ id: "Problem" });
export type Problem = z.infer<typeof Problem>;
