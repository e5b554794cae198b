import { workspaceStatusValues } from "@cw/contracts/enums";
import type { WorkspaceStatus } from "@cw/contracts/types";
import { flag, type ParsedArgs, stringOption, UsageError } from "../args.ts";
import { type CommandContext, loggedInApi } from "../context.ts";
import { print, printJson, renderTable } from "../output.ts";
import { WORKSPACE_COLUMNS, workspaceRow } from "../workspace-table.ts";

const isStatus = (s: string): s is WorkspaceStatus =>
  (workspaceStatusValues as readonly string[]).includes(s);

/** `cw ls [--status S] [--json]`. */
export async function run(parsed: ParsedArgs, ctx: CommandContext): Promise<number> {
  const status = stringOption(parsed, "status");
  if (status !== undefined && !isStatus(status))
    throw new UsageError(`--status must be one of ${workspaceStatusValues.join(", ")}`);
  const workspaces = await loggedInApi(ctx).listAllWorkspaces(status ? { status } : {});
  if (flag(parsed, "json")) printJson(workspaces);
  else if (workspaces.length === 0) print(status ? `No ${status} workspaces.` : "No workspaces.");
  else {
    const now = new Date();
    print(
      renderTable(
        WORKSPACE_COLUMNS,
        workspaces.map((w) => workspaceRow(w, now)),
      ),
    );
  }
  return 0;
}
