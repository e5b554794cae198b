import { spawn } from "node:child_process";
import type { ParsedArgs } from "../args.ts";
import { ensureConfigDir, knownHostsFile } from "../config-dir.ts";
import { type CommandContext, loggedInApi } from "../context.ts";
import { CliError } from "../errors.ts";
import { shellStatus } from "../foreground-command.ts";
import { say } from "../output.ts";
import { defaultIncludes, writeDirectConfig } from "../ssh-config/direct-config.ts";
import { connectCredentials, holdPresence } from "../workspace-session.ts";

/** Runs the user's `ssh`, on our terminal; its exit code, or 128 + the signal that ended it (as a shell says). */
function runSsh(args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn("ssh", args, { stdio: "inherit" });
    child.once("error", (e: NodeJS.ErrnoException) =>
      reject(e.code === "ENOENT" ? new CliError("OpenSSH's ssh is not installed (or not on PATH)") : e),
    );
    child.once("exit", (code, signal) => resolve(shellStatus(code, signal)));
  });
}

/**
 * `cw ssh WS [-- COMMAND…]`: the user's own OpenSSH straight to the workspace's gateway (no
 * bridge in between) with fresh credentials, the gateway's key pinned in cw's known_hosts, and the
 * workspace marked in use until ssh exits. Exits with ssh's status: the remote command's.
 */
export async function run(parsed: ParsedArgs, ctx: CommandContext): Promise<number> {
  const api = loggedInApi(ctx);
  const { workspace, credentials } = await connectCredentials(api, parsed.args[0]!, false);
  const presence = holdPresence(api, workspace.id, say);
  try {
    const dir = ensureConfigDir(ctx.configDir);
    const config = await writeDirectConfig(dir, {
      credentials,
      knownHostsFile: knownHostsFile(dir),
      includes: defaultIncludes(),
    });
    // Ctrl-C belongs to ssh (and the remote command) now; we wait for it to finish.
    const ignore = () => {};
    process.on("SIGINT", ignore);
    try {
      ctx.warm();
      const command = parsed.rest.length > 0 ? ["--", ...parsed.rest] : [];
      return await runSsh(["-F", config.file, credentials.host, ...command]);
    } finally {
      process.off("SIGINT", ignore);
      await config.remove();
    }
  } finally {
    presence.release();
  }
}
