import { type ParsedArgs, stringOption, UsageError } from "../args.ts";
import { bridgeOnStdio } from "../bridge-on-stdio.ts";
import { apiClientFor, type CommandContext } from "../context.ts";
import { messageOf } from "../errors.ts";
import { BridgeError } from "../ssh-bridge/bridge-error.ts";

/**
 * `cw internal-ssh-bridge --api URL --workspace ID` (hidden): the SSH bridge alone, with fresh
 * credentials from the API (`POST /v1/workspaces/{id}/ssh`, bearer `CW_TOKEN`) for one workspace
 * id — no name lookup, no resume, no presence. The bridge's own tests run it against a stand-in
 * for that one route; users run `cw ssh-proxy`.
 */
export async function run(parsed: ParsedArgs, ctx: CommandContext): Promise<number> {
  const api = stringOption(parsed, "api") ?? process.env.CW_URL;
  const workspace = stringOption(parsed, "workspace");
  if (!api || !URL.canParse(api)) throw new UsageError("needs --api URL (or CW_URL)");
  if (!workspace) throw new UsageError("needs --workspace ID");
  const client = apiClientFor(api, process.env.CW_TOKEN);
  const credentials = client.createSshCredentials(workspace).catch((e: unknown) => {
    throw new BridgeError(`cannot get SSH credentials: ${messageOf(e)}`);
  });
  return bridgeOnStdio(ctx, credentials);
}
