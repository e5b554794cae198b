import type { EventList, ListEventsQuery, StreamEventsQuery } from "@cw/contracts";
import { comparePositions, formatOffset, type LogPosition, parsePosition } from "../domain/log-position.ts";
import { dbSourceOf } from "../hub/directory.ts";
import type { EventsAnswer } from "../hub/organization-hub.ts";
import type { Caller, Deps } from "./deps.ts";
import { readEventsAfter } from "./event-log.ts";

const START: LogPosition = { txid: 0n, seq: 0n };

/**
 * One page of the organization's events after `after` (from the oldest kept without it). When the
 * page is not full, the read saw every final event, so `nextCursor` moves past the ones the filter
 * left out too.
 */
export async function listEvents(
  deps: Deps,
  caller: Caller,
  query: Required<Pick<ListEventsQuery, "limit">> & ListEventsQuery,
): Promise<EventList> {
  const after = query.after ? parsePosition(query.after) : START;
  const { events, upTo } = await readEventsAfter(deps.db, caller.organizationId, after, query.limit, {
    types: query.type,
    workspaceId: query.workspaceId,
  });
  const next =
    events.length === query.limit
      ? parsePosition(events.at(-1)!.cursor)
      : comparePositions(upTo, after) > 0
        ? upTo
        : after;
  return { items: events, nextCursor: formatOffset(next) };
}

/** How often an idle stream sends a comment, so proxies keep it open. */
export const KEEP_ALIVE_MS = 15_000;
const STREAM_BATCH = 100;

/**
 * `GET /v1/events/stream`: Server-Sent Events, each `id:` the event's cursor (so `Last-Event-ID`
 * resumes exactly after it) and `data:` the event as JSON; a `: keep-alive` comment when nothing
 * happened for KEEP_ALIVE_MS. Without `from`, it starts where the log stands as the request is
 * answered. It waits on the organization's hub, never on the database.
 */
export async function eventStream(deps: Deps, caller: Caller, query: StreamEventsQuery, from: string | null) {
  const hub = deps.hubs(caller.organizationId);
  const source = dbSourceOf(deps.config);
  const { organizationId } = caller;
  const pollMs = deps.config.SHAPE_POLL_MS;
  let after = from ? parsePosition(from) : await hub.eventsHead({ source, organizationId, pollMs });
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>({
    start(controller) {
      // Reconnect after 3 s if the connection drops; the first bytes also tell proxies it is live.
      controller.enqueue(encoder.encode("retry: 3000\n: connected\n\n"));
    },
    async pull(controller) {
      let answer: EventsAnswer;
      try {
        answer = await hub.waitEvents({
          source,
          organizationId,
          after,
          filter: { types: query.type, workspaceId: query.workspaceId },
          timeoutMs: KEEP_ALIVE_MS,
          pollMs,
          limit: STREAM_BATCH,
        });
      } catch (err) {
        controller.error(err);
        return;
      }
      after = answer.position;
      if (answer.kind === "timeout") {
        controller.enqueue(encoder.encode(": keep-alive\n\n"));
        return;
      }
      const frames = answer.events.map((e) => `id: ${e.cursor}\ndata: ${JSON.stringify(e)}\n\n`);
      controller.enqueue(encoder.encode(frames.join("")));
    },
  });
}
