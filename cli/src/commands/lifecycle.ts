import type { ApiClient } from "@cw/contracts/client";
import type { Workspace } from "@cw/contracts/types";
import { flag, type ParsedArgs, UsageError } from "../args.ts";
import { type CommandContext, loggedInApi } from "../context.ts";
import { deleteWorkspace } from "../delete-workspace.ts";
import { print, printJson, renderTable } from "../output.ts";
import { promptLine } from "../prompts.ts";
import { resolveWorkspace } from "../resolve-workspace.ts";
import { WORKSPACE_COLUMNS, workspaceRow } from "../workspace-table.ts";

type Action = (api: ApiClient, id: string) => Promise<Workspace>;

function lifecycle(action: Action) {
  return async (parsed: ParsedArgs, ctx: CommandContext): Promise<number> => {
    const api = loggedInApi(ctx);
    const ws = await action(api, (await resolveWorkspace(api, parsed.args[0]!)).id);
    if (flag(parsed, "json")) printJson(ws);
    else print(renderTable(WORKSPACE_COLUMNS, [workspaceRow(ws, new Date())]));
    return 0;
  };
}

/** `cw pause WS`, `cw resume WS`, `cw stop WS`: the API answers with the workspace after the transition. */
export const pause = lifecycle((api, id) => api.pauseWorkspace(id));
export const resume = lifecycle((api, id) => api.resumeWorkspace(id));
export const stop = lifecycle((api, id) => api.stopWorkspace(id));

/**
 * `cw rm WS [--yes] [--preserve | --force]`: asks on a terminal; elsewhere only `--yes` deletes.
 * Unsaved work in the VM: see `deleteWorkspace` (asked about on a terminal unless `--yes`).
 */
export async function rm(parsed: ParsedArgs, ctx: CommandContext): Promise<number> {
  const preserve = flag(parsed, "preserve");
  const force = flag(parsed, "force");
  if (preserve && force) throw new UsageError("choose --preserve or --force, not both");
  const api = loggedInApi(ctx);
  const ws = await resolveWorkspace(api, parsed.args[0]!);
  const yes = flag(parsed, "yes");
  if (!yes) {
    if (!process.stdin.isTTY)
      throw new UsageError(`not on a terminal to ask; pass --yes to delete ${ws.name}`);
    const answer = await promptLine(
      `Delete workspace ${ws.name} (${ws.branch}, ${ws.status}) and its VM? [y/N] `,
    );
    if (!/^y(es)?$/i.test(answer.trim())) {
      print("Nothing deleted.");
      return 1;
    }
  }
  return deleteWorkspace(
    ws,
    { preserve, force },
    {
      api,
      ask: yes ? null : promptLine,
      tell: (line) => process.stderr.write(`${line}\n`),
      print,
    },
  );
}
