import { randomBytes } from "node:crypto";
import { chmod, mkdir, rename, rm, writeFile } from "node:fs/promises";
import { dirname } from "node:path";

/**
 * Everything the app keeps on disk (settings, token, host-key pins, the synced store, worktree
 * links) is its user's alone: files 0600, folders 0700. A file is written whole to a fresh
 * temporary file and renamed over the old one, so a crash leaves the old or the new file, never
 * half of one — and an older file's looser mode never survives a rewrite.
 */
export async function makePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  // An existing folder (Electron creates userData itself) keeps its mode through mkdir.
  await chmod(dir, 0o700);
}

export async function writePrivateFile(file: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const temp = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    // "wx": a name someone else created in between is never written through.
    await writeFile(temp, data, { mode: 0o600, flag: "wx" });
    await rename(temp, file);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}
