import { randomBytes } from "node:crypto";
import { chmod, mkdir, readFile, realpath, rename, rm, stat, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join } from "node:path";

/** The user's OpenSSH client config, where `cw config-ssh` writes (the same path on Windows' OpenSSH). */
export const userSshConfig = (home: string = homedir()) => join(home, ".ssh", "config");

export interface Rewrite {
  /** The file written (a symlinked config is written where it points). */
  file: string;
  changed: boolean;
  /** The previous content, kept beside the file when it changed. */
  backup: string | null;
}

async function readIfExists(file: string): Promise<string | null> {
  try {
    return await readFile(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw e;
  }
}

/**
 * Applies `edit` to the file's text. Nothing is written when the text stays the same; otherwise
 * the old text goes to `<file>.cw-backup` and the new one replaces the file in one rename, keeping
 * its mode (0600 for a new file: ssh refuses a config others may write). Text is read and written
 * as UTF-8, so every byte outside what `edit` changes stays as it was.
 */
export async function rewriteFile(path: string, edit: (text: string) => string): Promise<Rewrite> {
  const file = await realpath(path).catch(() => path);
  const before = await readIfExists(file);
  const after = edit(before ?? "");
  if (after === (before ?? "")) return { file, changed: false, backup: null };
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const mode = before === null ? 0o600 : (await stat(file)).mode & 0o777;
  let backup: string | null = null;
  if (before !== null) {
    backup = `${file}.cw-backup`;
    await writeFile(backup, before, { mode });
    await chmod(backup, mode);
  }
  const temp = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    await writeFile(temp, after, { mode, flag: "wx" });
    await rename(temp, file);
  } catch (e) {
    await rm(temp, { force: true });
    throw e;
  }
  return { file, changed: true, backup };
}
