import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { writePrivateFile } from "@cw/client-node/private-files";
import type { TokenStorageKind } from "../shared/ipc.ts";

/**
 * Where the API token is kept. With an OS keychain (Electron `safeStorage`, wired in main as a
 * `TokenCipher`) the file holds only ciphertext; without one the token is a plain file readable by
 * the user only, and `kind` says so, so the UI can warn.
 */
export interface TokenStore {
  readonly kind: TokenStorageKind;
  read(): Promise<string | null>;
  write(token: string): Promise<void>;
  clear(): Promise<void>;
}

export interface TokenCipher {
  encrypt(plain: string): Buffer;
  decrypt(cipher: Buffer): string;
}

async function readOrNull(file: string): Promise<Buffer | null> {
  try {
    return await readFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw err;
  }
}

export function encryptedTokenStore(file: string, cipher: TokenCipher): TokenStore {
  return {
    kind: "keychain",
    async read() {
      const data = await readOrNull(file);
      if (!data) return null;
      try {
        return cipher.decrypt(data);
      } catch {
        // Encrypted by another OS user or keychain: unusable, ask for the token again.
        return null;
      }
    },
    write: (token) => writePrivateFile(file, cipher.encrypt(token)),
    clear: () => rm(file, { force: true }),
  };
}

export function plainFileTokenStore(file: string): TokenStore {
  return {
    kind: "plain-file",
    async read() {
      const data = await readOrNull(file);
      const token = data?.toString("utf8").trim();
      return token ? token : null;
    },
    write: (token) => writePrivateFile(file, `${token}\n`),
    clear: () => rm(file, { force: true }),
  };
}

/** The keychain-backed store when a cipher is available, else the flagged plain-file fallback. */
export function chooseTokenStore(dir: string, cipher: TokenCipher | null): TokenStore {
  return cipher
    ? encryptedTokenStore(join(dir, "token.enc"), cipher)
    : plainFileTokenStore(join(dir, "token.txt"));
}
