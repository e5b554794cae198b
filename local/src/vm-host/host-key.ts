import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import ssh2 from "ssh2";

/**
 * Generated once per data dir and kept, so clients that pin the host key on first use (as our
 * desktop app does) keep trusting the host across restarts.
 */
export function loadOrCreateHostKey(dataDir: string): string {
  const file = join(dataDir, "ssh_host_ed25519_key");
  if (existsSync(file)) return readFileSync(file, "utf8");
  const pair = ssh2.utils.generateKeyPairSync("ed25519", { comment: "local-vm-host" });
  writeFileSync(file, pair.private, { mode: 0o600 });
  writeFileSync(`${file}.pub`, `${pair.public}\n`);
  return pair.private;
}
