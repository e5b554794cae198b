import { flag, type ParsedArgs, UsageError } from "../args.ts";
import { type CommandContext, loggedInApi } from "../context.ts";
import { print, printJson, renderTable } from "../output.ts";
import { resolveWorkspace } from "../resolve-workspace.ts";
import { workspaceSettings } from "../workspace-settings.ts";
import { WORKSPACE_COLUMNS, workspaceRow } from "../workspace-table.ts";

/** `cw edit WS [--name N] [--auto-stop MIN] [--auto-stop-action pause|stop] [--json]`: PATCH, then the workspace. */
export async function run(parsed: ParsedArgs, ctx: CommandContext): Promise<number> {
  const patch = workspaceSettings(parsed);
  if (Object.keys(patch).length === 0)
    throw new UsageError("nothing to change: pass --name, --auto-stop or --auto-stop-action");
  const api = loggedInApi(ctx);
  const ws = await api.updateWorkspace((await resolveWorkspace(api, parsed.args[0]!)).id, patch);
  if (flag(parsed, "json")) printJson(ws);
  else print(renderTable(WORKSPACE_COLUMNS, [workspaceRow(ws, new Date())]));
  return 0;
}
