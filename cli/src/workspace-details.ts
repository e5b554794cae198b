import { localTimeFormat } from "@cw/contracts/local-time";
import type { Workspace } from "@cw/contracts/types";
import { renderTable } from "./output.ts";
import { activityLine, gitSync, statusText } from "./workspace-table.ts";

/** A table indented under its heading, or `none` said instead. */
function section(heading: string, none: string, header: string[], rows: string[][]): string {
  const body =
    rows.length === 0
      ? `  ${none}`
      : renderTable(header, rows)
          .split("\n")
          .map((line) => `  ${line}`)
          .join("\n");
  return `${heading} (${rows.length})\n${body}`;
}

function autoStopRule(w: Workspace): string {
  if (w.autoStopMinutes <= 0) return "off";
  return `${w.autoStopAction} after ${w.autoStopMinutes} min without activity`;
}

/**
 * `cw status WS` for people: the workspace, why it is running or when it will stop (the same line
 * as `cw ls`), who is connected and the holds on it — times in the user's time zone.
 */
export function workspaceDetails(w: Workspace, now: Date): string {
  const time = localTimeFormat(now);
  const at = (iso: string) => time(new Date(iso));
  const facts: [string, string][] = [
    ["branch", w.branch],
    ["status", statusText(w)],
    ["activity", activityLine(w, now)],
    ["auto-stop", autoStopRule(w)],
    ["git sync", gitSync(w)],
    ["id", w.id],
  ];
  const width = Math.max(...facts.map(([label]) => label.length));
  const { sessions, holds } = w.activity;
  return [
    w.name,
    ...facts.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`),
    "",
    section(
      "connected",
      "nobody",
      ["NAME", "EMAIL", "CLIENT", "SINCE"],
      sessions.map((s) => [s.name, s.email, s.clientType, at(s.since)]),
    ),
    "",
    section(
      "holds",
      "none",
      ["REASON", "BY", "UNTIL", "ID"],
      holds.map((h) => [h.reason, h.name, at(h.until), h.id]),
    ),
  ].join("\n");
}
