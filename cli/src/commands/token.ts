import type { ApiToken } from "@cw/contracts/types";
import { flag, type ParsedArgs, stringOption } from "../args.ts";
import { type CommandContext, loggedInApi } from "../context.ts";
import { dayAndTime } from "../organization-tables.ts";
import { print, printJson, renderTable, say } from "../output.ts";

const COLUMNS = ["NAME", "PREFIX", "CREATED", "LAST USED", "EXPIRES", "ID"];
const row = (t: ApiToken, now: Date): string[] => [
  t.name,
  t.prefix,
  dayAndTime(t.createdAt, now),
  t.lastUsedAt ? dayAndTime(t.lastUsedAt, now) : "never",
  t.expiresAt ? dayAndTime(t.expiresAt, now) : "never",
  t.id,
];

/** `cw token ls [--json]`. */
export async function ls(parsed: ParsedArgs, ctx: CommandContext): Promise<number> {
  const { items } = await loggedInApi(ctx).listTokens();
  if (flag(parsed, "json")) printJson(items);
  else
    print(
      renderTable(
        COLUMNS,
        items.map((t) => row(t, new Date())),
      ),
    );
  return 0;
}

/** `cw token create NAME [--expires-at T] [--json]`: the token alone on stdout, shown this once. */
export async function create(parsed: ParsedArgs, ctx: CommandContext): Promise<number> {
  const expiresAt = stringOption(parsed, "expires-at");
  const token = await loggedInApi(ctx).createToken({
    name: parsed.args[0]!,
    ...(expiresAt ? { expiresAt } : {}),
  });
  if (flag(parsed, "json")) {
    printJson(token);
    return 0;
  }
  print(token.token);
  const expires = token.expiresAt ? `expires ${token.expiresAt}` : "does not expire";
  say(`created token "${token.name}" (${token.prefix}…, ${expires}, id ${token.id}); it is not shown again`);
  return 0;
}

/** `cw token rm ID`. */
export async function rm(parsed: ParsedArgs, ctx: CommandContext): Promise<number> {
  await loggedInApi(ctx).deleteToken(parsed.args[0]!);
  print(`Deleted token ${parsed.args[0]}.`);
  return 0;
}
