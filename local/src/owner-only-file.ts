import { renameSync, rmSync, writeFileSync } from "node:fs";

/**
 * Replaces `file` with `text`, readable and writable by this user only (mode 0600), atomically:
 * a crash leaves the old file or the new one, and the new one is never readable by others, even
 * for an instant, whatever mode the old one had.
 */
export function writeOwnerOnlyFile(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  rmSync(tmp, { force: true });
  writeFileSync(tmp, text, { mode: 0o600, flag: "wx" });
  renameSync(tmp, file);
}
