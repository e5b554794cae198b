import { eventCursor, operations as ops } from "@cw/contracts";
import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { validationProblem } from "../domain/problems.ts";
import type { AppEnv } from "../http/app-env.ts";
import { commonProblems, json, operation } from "../http/openapi-helpers.ts";
import { eventStream, listEvents } from "../services/events.ts";

const list = createRoute({
  ...operation("listEvents"),
  request: { query: ops.listEvents.query },
  responses: {
    200: json(ops.listEvents.response, "Events after the cursor, oldest first; nextCursor continues"),
    ...commonProblems,
  },
});

const stream = createRoute({
  ...operation("streamEvents"),
  description:
    "Each event is one `data:` line (the Event as JSON) with its cursor as `id:`; reconnecting with " +
    "`Last-Event-ID` (or `?after=`) resumes after it without gaps or repeats. Without either, only " +
    "events from now on. A `: keep-alive` comment every 15 s when nothing happens.",
  request: { query: ops.streamEvents.query },
  responses: {
    200: {
      description: "A stream of Server-Sent Events",
      content: { "text/event-stream": { schema: { type: "string" } } },
    },
    ...commonProblems,
  },
});

export function eventRoutes(app: OpenAPIHono<AppEnv>) {
  app.openapi(list, async (c) =>
    c.json(await listEvents(c.get("deps"), c.get("caller"), c.req.valid("query")), 200),
  );

  app.openapi(stream, async (c) => {
    const query = c.req.valid("query");
    const lastEventId = c.req.header("last-event-id");
    if (lastEventId !== undefined && !eventCursor.safeParse(lastEventId).success)
      throw validationProblem([{ field: "header.Last-Event-ID", message: "not an event cursor" }]);
    const from = lastEventId ?? query.after ?? null;
    return new Response(await eventStream(c.get("deps"), c.get("caller"), query, from), {
      status: 200,
      headers: {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-store",
        "x-accel-buffering": "no",
      },
    }) as never;
  });
}
