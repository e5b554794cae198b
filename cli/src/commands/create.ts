import { defaultWorkspaceName, enableCloud, WorktreeError } from "@cw/client-node/worktree";
import { CreateWorkspace } from "@cw/contracts";
import type { ApiClient } from "@cw/contracts/client";
import type { Workspace } from "@cw/contracts/types";
import { flag, type ParsedArgs, stringOption, UsageError } from "../args.ts";
import { type CommandContext, loggedInApi } from "../context.ts";
import { CliError } from "../errors.ts";
import { print, printJson, renderTable, say } from "../output.ts";
import { startProgress } from "../progress.ts";
import { untilRunning } from "../running-workspace.ts";
import { sshHostOf } from "../workspace-ref.ts";
import { WORKSPACE_COLUMNS, workspaceRow } from "../workspace-table.ts";

interface Settings {
  name?: string;
  autoStopMinutes?: number;
  autoStopAction?: "pause" | "stop";
}

/** The options, checked by the contract's own schemas so the rules are the API's. */
function settings(parsed: ParsedArgs): Settings {
  const out: Settings = {};
  const name = stringOption(parsed, "name");
  if (name !== undefined) {
    const checked = CreateWorkspace.shape.name.safeParse(name);
    if (!checked.success) throw new UsageError(`--name: ${checked.error.issues[0]?.message}`);
    out.name = checked.data;
  }
  const minutes = stringOption(parsed, "auto-stop");
  if (minutes !== undefined) {
    const checked = CreateWorkspace.shape.autoStopMinutes.safeParse(
      /^\d+$/.test(minutes) ? Number(minutes) : NaN,
    );
    if (!checked.success)
      throw new UsageError(`--auto-stop: a whole number of minutes from 0 (never) up to the API's limit`);
    out.autoStopMinutes = checked.data;
  }
  const action = stringOption(parsed, "auto-stop-action");
  if (action !== undefined) {
    if (action !== "pause" && action !== "stop")
      throw new UsageError("--auto-stop-action must be pause or stop");
    out.autoStopAction = action;
  }
  return out;
}

async function fromRepository(api: ApiClient, ref: string, branch: string, s: Settings): Promise<Workspace> {
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
async function fromWorktree(api: ApiClient, s: Settings): Promise<Workspace> {
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
  const s = settings(parsed);
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
