import { z } from "@hono/zod-openapi";
import { OFFSET_PATTERN, offsetInRange } from "../domain/log-position.ts";
import { validationProblem } from "../domain/problems.ts";
import { SHAPE_NAMES, SHAPES, type ShapeDefinition } from "./shapes.ts";

/**
 * The query string of `GET /v1/shape`: which allowed shape, plus Electric's protocol parameters.
 * Anything else (`table`, `where`, `columns`, `params`…) is dropped unread: the server decides
 * those, so nothing a client adds can widen what it sees.
 */
const flag = z.enum(["true", "false"]).optional();

export const ShapeQuery = z.object({
  shape: z
    .enum(SHAPE_NAMES)
    .openapi({ description: "Which shape: `workspaces` (the caller's organization's)" }),
  offset: z
    .string()
    .regex(OFFSET_PATTERN, "must be -1, now, or an electric-offset this server sent")
    .refine(offsetInRange, "is beyond any position this server sends")
    .openapi({ description: "-1 for a snapshot, else the last `electric-offset` received" }),
  handle: z.string().min(1).max(256).optional().openapi({ description: "The `electric-handle` received" }),
  live: flag.openapi({ description: "Long-poll until a change (at most ~20 s)" }),
  cursor: z.string().max(64).optional(),
  log: z.enum(["full", "changes_only"]).optional(),
  live_sse: flag,
  experimental_live_sse: flag,
});

export interface ShapeRequest {
  shape: ShapeDefinition;
  organizationId: string;
  offset: string;
  handle: string | undefined;
  live: boolean;
  cursor: string | undefined;
  log: "full" | "changes_only";
}

export function toShapeRequest(query: z.infer<typeof ShapeQuery>, organizationId: string): ShapeRequest {
  if (query.offset !== "-1" && query.offset !== "now" && !query.handle)
    throw validationProblem([
      { field: "query.handle", message: "required with an offset other than -1 or now" },
    ]);
  return {
    shape: SHAPES[query.shape],
    organizationId,
    offset: query.offset,
    handle: query.handle,
    live: query.live === "true",
    cursor: query.cursor,
    log: query.log ?? "full",
  };
}

/**
 * What neither source serves — SSE and subset snapshots: the built-in source does not implement
 * them and the proxy does not forward them — refused by name (a 4xx the client does not retry).
 */
export function refuseUnsupported(url: URL): void {
  const errors = [];
  for (const name of ["live_sse", "experimental_live_sse"])
    if (url.searchParams.get(name) === "true")
      errors.push({
        field: `query.${name}`,
        message: "not supported; use long-polling",
      });
  for (const name of new Set(url.searchParams.keys()))
    if (name.startsWith("subset__"))
      errors.push({
        field: `query.${name}`,
        message: "subset snapshots are not supported",
      });
  if (errors.length > 0) throw validationProblem(errors);
}
