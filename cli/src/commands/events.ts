import { Event, ListEventsQuery } from "@cw/contracts";
import { localTimeFormat } from "@cw/contracts/local-time";
import type { EventType } from "@cw/contracts/types";
import { flag, type ParsedArgs, stringOption, UsageError } from "../args.ts";
import { type CommandContext, loggedInApi } from "../context.ts";
import { CliError } from "../errors.ts";
import { EVENT_COLUMNS, eventCells, serverSentEvents } from "../event-lines.ts";
import { commaList } from "../organization-tables.ts";
import { print, printJson, renderTable, say } from "../output.ts";
import { resolveWorkspace } from "../resolve-workspace.ts";

/** A workspace created or renamed while following: its new name, for the lines after. */
function learnName(names: Map<string, string>, event: Event) {
  if (!event.workspaceId) return;
  const name =
    event.type === "workspace.created"
      ? (event.data as { name: string }).name
      : event.type === "workspace.updated"
        ? (event.data as { changes: { name?: string } }).changes.name
        : undefined;
  if (name) names.set(event.workspaceId, name);
}

/** How long `--follow` waits before reconnecting after the stream ends or fails. */
const RECONNECT_MS = 2_000;

/** `cw events [WS] [--type T,…] [--after CURSOR] [--limit N] [--follow] [--json]`. */
export async function run(parsed: ParsedArgs, ctx: CommandContext): Promise<number> {
  const api = loggedInApi(ctx);
  const follow = flag(parsed, "follow");
  const limit = stringOption(parsed, "limit");
  if (follow && limit) throw new UsageError("--limit does not go with --follow");
  const types = stringOption(parsed, "type");
  const workspace = parsed.args[0] ? await resolveWorkspace(api, parsed.args[0]) : undefined;
  const query = {
    type: types ? (commaList(types) as EventType[]) : undefined,
    workspaceId: workspace?.id,
    after: stringOption(parsed, "after"),
  };
  const json = flag(parsed, "json");
  const [me, all] = json ? [null, []] : await Promise.all([api.getMe(), api.listAllWorkspaces()]);
  const names = new Map(all.map((w) => [w.id, w.name]));
  const cells = (e: Event) =>
    eventCells(e, {
      names,
      meId: me?.user.id ?? "",
      time: (iso) => localTimeFormat(new Date())(new Date(iso)),
    });

  if (!follow) {
    // The API says what is wrong with a limit that is not one (NaN included).
    const page = await api.listEvents({ ...query, limit: limit === undefined ? undefined : Number(limit) });
    if (json) printJson(page);
    else if (page.items.length === 0) print("No events.");
    else print(renderTable(EVENT_COLUMNS, page.items.map(cells)));
    const pageSize = limit === undefined ? ListEventsQuery.shape.limit.parse(undefined) : Number(limit);
    if (page.items.length > 0 && page.items.length === pageSize)
      say(`more may follow: cw events --after ${page.nextCursor}`);
    return 0;
  }

  // Follow: the stream, reconnecting with Last-Event-ID so nothing is missed or repeated.
  let lastId = query.after;
  for (;;) {
    try {
      const res = await fetch(api.eventStreamUrl({ ...query, after: undefined }), {
        headers: {
          ...api.headers(),
          accept: "text/event-stream",
          ...(lastId ? { "last-event-id": lastId } : {}),
        },
      });
      if (!res.ok || !res.body) {
        const text = await res.text();
        let detail = `the event stream answered ${res.status}`;
        try {
          detail = (JSON.parse(text) as { detail?: string }).detail ?? detail;
        } catch {}
        if (res.status >= 400 && res.status < 500) throw new CliError(detail);
        throw new Error(detail);
      }
      for await (const { id, data } of serverSentEvents(res.body.pipeThrough(new TextDecoderStream()))) {
        const event = Event.parse(JSON.parse(data));
        learnName(names, event);
        print(json ? JSON.stringify(event) : cells(event).join("  "));
        lastId = id || lastId;
      }
    } catch (e) {
      if (e instanceof CliError) throw e;
      say(`the event stream broke (${e instanceof Error ? e.message : String(e)}); reconnecting`);
    }
    await new Promise((r) => setTimeout(r, RECONNECT_MS));
  }
}
