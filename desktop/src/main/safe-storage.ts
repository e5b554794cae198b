import { safeStorage } from "electron";
import type { TokenCipher } from "../core/token-store.ts";

/**
 * Electron's safeStorage as the token cipher, or null where it would not really protect the token:
 * no encryption at all, or Linux's "basic_text" backend (a hard-coded key, no keyring).
 */
export function safeStorageCipher(): TokenCipher | null {
  if (!safeStorage.isEncryptionAvailable()) return null;
  if (process.platform === "linux" && safeStorage.getSelectedStorageBackend() === "basic_text") return null;
  return {
    encrypt: (plain) => safeStorage.encryptString(plain),
    decrypt: (cipher) => safeStorage.decryptString(cipher),
  };
}
