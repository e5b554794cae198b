import { loginFile } from "../config-dir.ts";
import type { CommandContext } from "../context.ts";
import { removeLogin } from "../login-store.ts";
import { print, say } from "../output.ts";

/** `cw logout`: forgets the stored token (the token itself keeps working until it is deleted). */
export async function run(_parsed: unknown, ctx: CommandContext): Promise<number> {
  if (!removeLogin(ctx.configDir)) {
    print("Not logged in.");
    return 0;
  }
  print(`Logged out: removed ${loginFile(ctx.configDir)}.`);
  say("the token still works where else it is used; revoke it with DELETE /v1/tokens/<id> if it should not");
  if (process.env.CW_TOKEN) say("CW_TOKEN is still set in your environment");
  return 0;
}
