import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { writePrivateFileSync } from "@cw/client-node/private-files";

/**
 * The local stack's GIT_CREDENTIAL_KEYS: one AES-256 key, generated on the first start and kept
 * owner-only in the data folder, so git credentials stored in the database still open after a
 * restart (the worker receives it through its owner-only env file). Delete `.data/` and both go.
 */
export function localGitCredentialKeys(dataDir: string): string {
  const file = join(dataDir, "git-credential-keys");
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  const keys = `local:${randomBytes(32).toString("base64")}`;
  writePrivateFileSync(file, `${keys}\n`);
  return keys;
}
