import { gitCredentialScopeValues } from "@cw/contracts/enums";
import type { GitCredential, GitCredentialScope } from "@cw/contracts/types";
import { flag, type ParsedArgs, stringOption, UsageError } from "../args.ts";
import { type CommandContext, loggedInApi } from "../context.ts";
import { dayAndTime } from "../organization-tables.ts";
import { print, printJson, renderTable } from "../output.ts";
import { readSecret } from "../prompts.ts";

const COLUMNS = ["HOST", "USERNAME", "SCOPE", "SECRET", "CREATED", "LAST USED", "ID"];
const row = (c: GitCredential, now: Date): string[] => [
  c.host,
  c.username,
  c.scope,
  c.hint ? `…${c.hint}` : "(short)",
  dayAndTime(c.createdAt, now),
  c.lastUsedAt ? dayAndTime(c.lastUsedAt, now) : "never",
  c.id,
];

function scopeOf(parsed: ParsedArgs): GitCredentialScope | undefined {
  const scope = stringOption(parsed, "scope");
  if (scope === undefined) return undefined;
  if (!(gitCredentialScopeValues as readonly string[]).includes(scope))
    throw new UsageError(`--scope must be one of ${gitCredentialScopeValues.join(", ")}`);
  return scope as GitCredentialScope;
}

/** `cw git-credential add HOST USERNAME [--scope S] [--secret-stdin] [--json]`. */
export async function add(parsed: ParsedArgs, ctx: CommandContext): Promise<number> {
  const [host, username] = parsed.args as [string, string];
  const scope = scopeOf(parsed);
  const secret = await readSecret({
    name: "secret",
    option: "secret-stdin",
    fromStdin: flag(parsed, "secret-stdin"),
  });
  const credential = await loggedInApi(ctx).createGitCredential({
    host,
    username,
    secret,
    ...(scope ? { scope } : {}),
  });
  if (flag(parsed, "json")) printJson(credential);
  else
    print(
      `Stored a git credential for ${credential.host} as ${credential.username} (${credential.scope === "user" ? "yours" : "the organization's"}, id ${credential.id}).`,
    );
  return 0;
}

/** `cw git-credential ls [--json]`. */
export async function ls(parsed: ParsedArgs, ctx: CommandContext): Promise<number> {
  const { items } = await loggedInApi(ctx).listGitCredentials();
  if (flag(parsed, "json")) printJson(items);
  else if (items.length === 0) print("No git credentials (cw git-credential add HOST USERNAME stores one).");
  else
    print(
      renderTable(
        COLUMNS,
        items.map((c) => row(c, new Date())),
      ),
    );
  return 0;
}

/** `cw git-credential rm ID`. */
export async function rm(parsed: ParsedArgs, ctx: CommandContext): Promise<number> {
  await loggedInApi(ctx).deleteGitCredential(parsed.args[0]!);
  print(`Deleted git credential ${parsed.args[0]}.`);
  return 0;
}
