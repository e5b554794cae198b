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

/**
 * ssh2's ed25519 keygen drops a leading zero byte of the public key, about once in 256 keys
 * (ssh2 issue 1513), producing a key it cannot parse itself: generate again until it can.
 */
export function generateHostKey(): string {
  for (let attempt = 0; attempt < 20; attempt++) {
    const pair = ssh2.utils.generateKeyPairSync("ed25519", { comment: "cw ssh bridge" });
    if (
      !(ssh2.utils.parseKey(pair.private) instanceof Error) &&
      !(ssh2.utils.parseKey(pair.public) instanceof Error)
    )
      return pair.private;
  }
  throw new Error("could not generate an SSH host key");
}

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
  const aside = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  writeFileSync(aside, generateHostKey(), { mode: 0o600 });
  try {
    linkSync(aside, file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
  } finally {
    unlinkSync(aside);
  }
  return fromPrivate(readFileSync(file, "utf8"), file);
}
