import { dirname } from "node:path";
import { flag, type ParsedArgs, UsageError } from "../args.ts";
import { ensureConfigDir, knownHostsFile } from "../config-dir.ts";
import type { CommandContext } from "../context.ts";
import { CliError } from "../errors.ts";
import { print } from "../output.ts";
import { pinBridgeHostKey } from "../ssh-config/bridge-pin.ts";
import { CONTROL_PERSIST, cwHostsBlock } from "../ssh-config/cw-hosts.ts";
import { ManagedBlockError, withBlock, withoutBlock } from "../ssh-config/managed-block.ts";
import { type Rewrite, rewriteFile, userSshConfig } from "../ssh-config/user-config-file.ts";

async function rewrite(file: string, edit: (text: string) => string): Promise<Rewrite> {
  try {
    return await rewriteFile(file, edit);
  } catch (e) {
    if (e instanceof ManagedBlockError) throw new CliError(`${file}: ${e.message}`);
    throw e;
  }
}

const backupNote = (r: Rewrite) => (r.backup ? ` (the previous file is in ${r.backup})` : "");

/** `cw config-ssh [--remove] [--multiplex]`: cw's block in ~/.ssh/config. */
export async function run(parsed: ParsedArgs, ctx: CommandContext): Promise<number> {
  const remove = flag(parsed, "remove");
  const multiplex = flag(parsed, "multiplex");
  if (remove && multiplex) throw new UsageError("--remove and --multiplex do not go together");
  if (multiplex && process.platform === "win32")
    throw new UsageError("--multiplex: Windows' OpenSSH cannot share connections (it has no ControlMaster)");
  const file = userSshConfig();

  if (remove) {
    const r = await rewrite(file, withoutBlock);
    print(
      r.changed
        ? `Removed cw's block from ${r.file}${backupNote(r)}.`
        : `${r.file} has no cw block; nothing changed.`,
    );
    return 0;
  }

  const dir = ensureConfigDir(ctx.configDir);
  await pinBridgeHostKey(dir);
  const lines = cwHostsBlock({
    node: process.execPath,
    script: ctx.entry,
    knownHostsFile: knownHostsFile(dir),
    ...(multiplex ? { multiplexIn: dirname(file) } : {}),
    platform: process.platform,
  });
  const r = await rewrite(file, (text) => withBlock(text, lines));
  print(
    r.changed
      ? `Updated ${r.file}${backupNote(r)}: ssh cw-<workspace> now reaches your workspaces.`
      : `${r.file} already has cw's block as it should be; nothing changed.`,
  );
  if (multiplex) print(`Connections are shared and kept ${CONTROL_PERSIST} after the last one ends.`);
  return 0;
}
