import { defaultWorkspaceName, enableCloud, WorktreeError } from "@cw/client-node/worktree";
import type { ApiClient } from "@cw/contracts/client";
import type { Workspace } from "@cw/contracts/types";
import { flag, type ParsedArgs, UsageError } from "../args.ts";
import { type CommandContext, loggedInApi } from "../context.ts";
import { CliError } from "../errors.ts";
import { print, printJson, renderTable, say } from "../output.ts";
import { startProgress } from "../progress.ts";
import { untilRunning } from "../running-workspace.ts";
import { sshHostOf } from "../workspace-ref.ts";
import { type WorkspaceSettings, workspaceSettings } from "../workspace-settings.ts";
import { WORKSPACE_COLUMNS, workspaceRow } from "../workspace-table.ts";

async function fromRepository(
  api: ApiClient,
  ref: string,
  branch: string,
  s: WorkspaceSettings,
): Promise<Workspace> {
  const repos = (await api.listRepositories()).items;
  const repo = repos.find((r) => r.id === ref) ?? repos.find((r) => r.name === ref);
  if (!repo)
    throw new CliError(`no repository named "${ref}" (cw repo ls lists them; cw repo add registers one)`);
  return api.createWorkspace({
    repositoryId: repo.id,
    name: s.name ?? defaultWorkspaceName(repo.name, branch),
    branch,
    ...(s.autoStopMinutes === undefined ? {} : { autoStopMinutes: s.autoStopMinutes }),
    ...(s.autoStopAction ? { autoStopAction: s.autoStopAction } : {}),
  });
}

/** The desktop's "enable cloud", run on the current folder. */
async function fromWorktree(api: ApiClient, s: WorkspaceSettings): Promise<Workspace> {
  try {
    const { workspaceId } = await enableCloud({ api }, { path: process.cwd(), ...s });
    return await api.getWorkspace(workspaceId);
  } catch (e) {
    if (e instanceof WorktreeError) throw new CliError(e.message);
    throw e;
  }
}

/** `cw create [REPO BRANCH] [--name N] [--auto-stop MIN] [--auto-stop-action pause|stop] [--no-wait] [--json]`. */
export async function run(parsed: ParsedArgs, ctx: CommandContext): Promise<number> {
  if (parsed.args.length === 1)
    throw new UsageError("give both REPO and BRANCH (or neither, inside a git worktree)");
  const s = workspaceSettings(parsed);
  const api = loggedInApi(ctx);
  const [repo, branch] = parsed.args;
  const progress = startProgress("creating");
  let ws: Workspace;
  try {
    ws = repo && branch ? await fromRepository(api, repo, branch, s) : await fromWorktree(api, s);
    if (!flag(parsed, "no-wait")) ws = await untilRunning(api, ws, { resume: false, progress });
  } finally {
    progress.stop();
  }
  if (flag(parsed, "json")) printJson(ws);
  else {
    print(renderTable(WORKSPACE_COLUMNS, [workspaceRow(ws, new Date())]));
    say(`reach it with: cw ssh ${ws.name}   (or ssh ${sshHostOf(ws)} after cw config-ssh)`);
  }
  return 0;
}
