import { randomBytes } from "node:crypto";
import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { chmod, mkdir, rename, rm, writeFile } from "node:fs/promises";
import { dirname } from "node:path";

/**
 * The one writer of owner-only files on a user's machine: what the desktop and `cw` keep (settings,
 * token, host-key pins, the synced store, worktree links) and what the local stack keeps (its env
 * file with the VM host's key, the seeded token, the VM host's state). Files 0600, folders 0700.
 * A file is written whole to a fresh temporary file and renamed over the old one, so a crash leaves
 * the old or the new file, never half of one — and an older file's looser mode never survives a
 * rewrite, not even for an instant.
 */
export async function makePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  // An existing folder (Electron creates userData itself) keeps its mode through mkdir.
  await chmod(dir, 0o700);
}

const NEW_FOLDER = { recursive: true, mode: 0o700 } as const;
// "wx": a name someone else created in between is never written through.
const NEW_FILE = { mode: 0o600, flag: "wx" } as const;
const tempFor = (file: string) => `${file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;

export async function writePrivateFile(file: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(file), NEW_FOLDER);
  const temp = tempFor(file);
  try {
    await writeFile(temp, data, NEW_FILE);
    await rename(temp, file);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}

/** The same, finished when it returns: for state saved on every change (the VM host's). */
export function writePrivateFileSync(file: string, data: string | Uint8Array): void {
  mkdirSync(dirname(file), NEW_FOLDER);
  const temp = tempFor(file);
  try {
    writeFileSync(temp, data, NEW_FILE);
    renameSync(temp, file);
  } catch (err) {
    rmSync(temp, { force: true });
    throw err;
  }
}
