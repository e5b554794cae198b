import type { Event } from "@cw/contracts/types";

/**
 * An event as one line for people: `14:05  workspace.status_changed  api-main  auto-stop  running →
 * paused (auto_stop): auto-paused after 30 minutes without activity`. Workspaces by name where cw
 * knows it (`names`, id → name), users as "you" or their id.
 */
export function eventCells(
  e: Event,
  ctx: { names: Map<string, string>; meId: string; time: (iso: string) => string },
): string[] {
  const workspace = e.workspaceId ? (ctx.names.get(e.workspaceId) ?? e.workspaceId.slice(0, 8)) : "-";
  const actor =
    e.actor.type === "system"
      ? e.actor.process
      : e.actor.userId === ctx.meId
        ? "you"
        : `user ${e.actor.userId.slice(0, 8)}`;
  return [ctx.time(e.createdAt), e.type, workspace, actor, details(e.data as Record<string, unknown>)];
}

export const EVENT_COLUMNS = ["TIME", "TYPE", "WORKSPACE", "BY", "WHAT"];

/** `from → to`, then the rest as `key=value` (nested objects one level down), then any message. */
function details(data: Record<string, unknown>): string {
  const parts: string[] = [];
  const { from, to, reason, message, ...rest } = data;
  if (from !== undefined && to !== undefined) parts.push(`${from} → ${to}${reason ? ` (${reason})` : ""}`);
  else if (reason !== undefined) rest.reason = reason;
  for (const [key, value] of Object.entries(rest)) {
    if (value === null || value === undefined) continue;
    if (Array.isArray(value)) {
      if (value.length > 0) parts.push(`${key}=${value.join(",")}`);
    } else if (typeof value === "object") parts.push(details(value as Record<string, unknown>));
    else parts.push(`${key}=${value}`);
  }
  const text = parts.filter((p) => p !== "").join(" ");
  return typeof message === "string" && message ? `${text}: ${message}` : text;
}

/**
 * Server-Sent Events from a stream of text chunks: each dispatched event's `id` and `data` (lines
 * joined), comments and other fields ignored, as the EventSource specification reads them.
 */
export async function* serverSentEvents(
  chunks: AsyncIterable<string>,
): AsyncGenerator<{ id: string; data: string }> {
  let buffer = "";
  let id = "";
  let data: string[] = [];
  for await (const chunk of chunks) {
    buffer += chunk;
    const lines = buffer.split(/\r\n|\r|\n/);
    buffer = lines.pop() ?? "";
    for (const line of lines) {
      if (line === "") {
        if (data.length > 0) yield { id, data: data.join("\n") };
        data = [];
        continue;
      }
      if (line.startsWith(":")) continue;
      const colon = line.indexOf(":");
      const field = colon === -1 ? line : line.slice(0, colon);
      const value = colon === -1 ? "" : line.slice(colon + 1).replace(/^ /, "");
      if (field === "data") data.push(value);
      else if (field === "id" && !value.includes("\u0000")) id = value;
    }
  }
}
