import { apiUrlProblem } from "@cw/client-node/api-url";
import { ApiError } from "@cw/contracts/client";
import type { Me } from "@cw/contracts/types";
import { flag, type ParsedArgs, stringOption, UsageError } from "../args.ts";
import { loginFile } from "../config-dir.ts";
import { apiClientFor, type CommandContext } from "../context.ts";
import { CliError } from "../errors.ts";
import { readStoredLogin, saveLogin } from "../login-store.ts";
import { print, say } from "../output.ts";
import { readSecret } from "../prompts.ts";

/** `cw login [--url URL] [--token-stdin]`: checks the token with GET /v1/me, then stores both. */
export async function run(parsed: ParsedArgs, ctx: CommandContext): Promise<number> {
  const stored = readStoredLogin(ctx.configDir);
  const url = (stringOption(parsed, "url") ?? process.env.CW_URL ?? stored?.url)?.replace(/\/+$/, "");
  if (!url)
    throw new UsageError("which API? pass --url URL (e.g. http://127.0.0.1:8787 for the local stack)");
  const problem = apiUrlProblem(url);
  if (problem) throw new UsageError(`--url ${problem}`);
  const token = await readSecret({
    name: "API token",
    option: "token-stdin",
    fromStdin: flag(parsed, "token-stdin"),
  });

  let me: Me;
  try {
    me = await apiClientFor(url, token).getMe();
  } catch (e) {
    if (e instanceof ApiError && e.status === 401)
      throw new CliError(`the API at ${url} refused the token: ${e.detail}`);
    throw e;
  }
  await saveLogin(ctx.configDir, { url, token });
  const expires = me.token.expiresAt ? `expires ${me.token.expiresAt}` : "does not expire";
  print(
    `Logged in to ${url} as ${me.user.name} <${me.user.email}>, organization ${me.organization.name} (${me.organization.role}); token "${me.token.name}" ${expires}.`,
  );
  say(`stored in ${loginFile(ctx.configDir)} (readable by you only)`);
  if (process.env.CW_TOKEN) say("CW_TOKEN is set in your environment and overrides the stored token");
  return 0;
}
