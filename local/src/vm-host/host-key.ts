import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { writePrivateFileSync } from "@cw/client-node/private-files";
import ssh2 from "ssh2";

/**
 * ssh2's ed25519 keygen drops a leading zero byte of the public key, about once in 256 keys
 * (ssh2 issue 1513), producing a key its own server refuses: generate again until it parses.
 */
function generateHostKey() {
  for (let attempt = 0; attempt < 20; attempt++) {
    const pair = ssh2.utils.generateKeyPairSync("ed25519", { comment: "local-vm-host" });
    if (
      !(ssh2.utils.parseKey(pair.private) instanceof Error) &&
      !(ssh2.utils.parseKey(pair.public) instanceof Error)
    )
      return pair;
  }
  throw new Error("could not generate an SSH host key");
}

/**
 * Generated once per data dir and kept, so clients that pin the host key on first use (as our
 * desktop app does) keep trusting the host across restarts.
 */
export function loadOrCreateHostKey(dataDir: string): string {
  const file = join(dataDir, "ssh_host_ed25519_key");
  if (existsSync(file)) return readFileSync(file, "utf8");
  const pair = generateHostKey();
  writeFileSync(`${file}.pub`, `${pair.public}\n`);
  // Last and whole: a key file that exists is a complete one.
  writePrivateFileSync(file, pair.private);
  return pair.private;
}
