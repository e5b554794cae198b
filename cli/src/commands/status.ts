import { flag, type ParsedArgs } from "../args.ts";
import { type CommandContext, loggedInApi } from "../context.ts";
import { print, printJson } from "../output.ts";
import { resolveWorkspace } from "../resolve-workspace.ts";
import { workspaceDetails } from "../workspace-details.ts";

/** `cw status WS [--json]`: the workspace, its activity, who is connected, its holds (--json: the API's object). */
export async function run(parsed: ParsedArgs, ctx: CommandContext): Promise<number> {
  const ws = await resolveWorkspace(loggedInApi(ctx), parsed.args[0]!);
  if (flag(parsed, "json")) printJson(ws);
  else print(workspaceDetails(ws, new Date()));
  return 0;
}
