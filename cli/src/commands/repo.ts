import { flag, type ParsedArgs, stringOption } from "../args.ts";
import { type CommandContext, loggedInApi } from "../context.ts";
import { print, printJson, renderTable } from "../output.ts";
import { REPOSITORY_COLUMNS, repositoryRow } from "../workspace-table.ts";

/** `cw repo add NAME URL [--default-branch B] [--json]`. */
export async function add(parsed: ParsedArgs, ctx: CommandContext): Promise<number> {
  const [name, cloneUrl] = parsed.args as [string, string];
  const defaultBranch = stringOption(parsed, "default-branch");
  const repo = await loggedInApi(ctx).createRepository({
    name,
    cloneUrl,
    ...(defaultBranch ? { defaultBranch } : {}),
  });
  if (flag(parsed, "json")) printJson(repo);
  else
    print(
      `Added repository ${repo.name} (${repo.cloneUrl}, default branch ${repo.defaultBranch}, id ${repo.id}).`,
    );
  return 0;
}

/** `cw repo ls [--json]`. */
export async function ls(parsed: ParsedArgs, ctx: CommandContext): Promise<number> {
  const { items } = await loggedInApi(ctx).listRepositories();
  if (flag(parsed, "json")) printJson(items);
  else if (items.length === 0) print("No repositories (cw repo add NAME URL registers one).");
  else print(renderTable(REPOSITORY_COLUMNS, items.map(repositoryRow)));
  return 0;
}
