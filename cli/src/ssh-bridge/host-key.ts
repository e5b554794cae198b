import { randomBytes } from "node:crypto";
import { linkSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import ssh2 from "ssh2";

/** The bridge's own SSH host key: what the local `ssh` sees and pins under `HostKeyAlias`. */
export interface BridgeHostKey {
  /** OpenSSH private key text, for the ssh2 server. */
  privateKey: string;
  /** `ssh-ed25519 AAAA…`, the form a known_hosts line carries after the host name. */
  publicKey: string;
}

export const BRIDGE_HOST_KEY_FILE = "ssh_bridge_host_ed25519_key";

function fromPrivate(privateKey: string, file: string): BridgeHostKey {
  const parsed = ssh2.utils.parseKey(privateKey);
  if (parsed instanceof Error || Array.isArray(parsed)) {
    throw new Error(`The SSH bridge's host key ${file} is unreadable; delete it and connect again.`);
  }
  return { privateKey, publicKey: `${parsed.type} ${parsed.getPublicSSH().toString("base64")}` };
}

/**
 * Generated once per user and kept owner-only in cw's config directory. Two bridges starting at
 * once must agree on one key, so a new key is written aside and hard-linked into place, which
 * fails rather than replaces when another process got there first.
 */
export function loadOrCreateBridgeHostKey(dir: string): BridgeHostKey {
  const file = join(dir, BRIDGE_HOST_KEY_FILE);
  try {
    return fromPrivate(readFileSync(file, "utf8"), file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
  }
  const pair = ssh2.utils.generateKeyPairSync("ed25519", { comment: "cw ssh bridge" });
  const aside = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  writeFileSync(aside, pair.private, { mode: 0o600 });
  try {
    linkSync(aside, file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
  } finally {
    unlinkSync(aside);
  }
  return fromPrivate(readFileSync(file, "utf8"), file);
}
