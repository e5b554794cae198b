import { unsavedWorkOf } from "@cw/contracts";
import { type ApiClient, ApiError } from "@cw/contracts/client";
import type { Workspace } from "@cw/contracts/types";
import { flag, type ParsedArgs, UsageError } from "../args.ts";
import { type CommandContext, loggedInApi } from "../context.ts";
import { CliError, messageOf } from "../errors.ts";
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

/** `cw rm WS [--yes] [--preserve | --force]`: asks on a terminal; elsewhere only `--yes` deletes. */
export async function rm(parsed: ParsedArgs, ctx: CommandContext): Promise<number> {
  const preserve = flag(parsed, "preserve");
  const force = flag(parsed, "force");
  if (preserve && force) throw new UsageError("choose --preserve or --force, not both");
  const api = loggedInApi(ctx);
  const ws = await resolveWorkspace(api, parsed.args[0]!);
  if (!flag(parsed, "yes")) {
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
  let deleted: Awaited<ReturnType<ApiClient["deleteWorkspace"]>>;
  try {
    deleted = await api.deleteWorkspace(ws.id, { preserve, force });
  } catch (e) {
    if (unsavedWorkOf(e instanceof ApiError ? e.problem : null))
      throw new CliError(
        `${messageOf(e)} (cw rm --preserve pushes it to a branch first; --force discards it)`,
      );
    throw e;
  }
  const pushed = deleted?.pushedBranches ?? [];
  print(`Deleted ${ws.name}.${pushed.length > 0 ? ` Its work was pushed to ${pushed.join(", ")}.` : ""}`);
  return 0;
}
