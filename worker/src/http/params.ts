import { z } from "@hono/zod-openapi";

/**
 * How the worker reads path parameters and headers. The bodies, queries and answers are the
 * contract's (`@cw/contracts`); these are only the worker's side of the wire.
 */
export const IdParam = z.object({ id: z.uuid().openapi({ param: { name: "id", in: "path" } }) });
export const SessionParams = IdParam.extend({
  sessionId: z.uuid().openapi({ param: { name: "sessionId", in: "path" } }),
});
export const HoldParams = IdParam.extend({
  holdId: z.uuid().openapi({ param: { name: "holdId", in: "path" } }),
});

export const IdempotencyHeader = z.object({
  "idempotency-key": z
    .string()
    .min(1)
    .max(255)
    .regex(/^[\x21-\x7e]+$/, "visible ASCII characters only (no spaces or control characters)")
    .optional()
    .openapi({
      param: { name: "idempotency-key", in: "header" },
      description: "Repeat a create safely: the same key and body return the same workspace",
    }),
});
