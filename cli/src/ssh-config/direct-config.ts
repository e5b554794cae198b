import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { rm } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { writePrivateFile } from "@cw/client-node/private-files";
import type { GatewayCredentials } from "../ssh-bridge/credentials.ts";
import { userSshConfig } from "./user-config-file.ts";

/**
 * The ssh_config `cw ssh` hands to the user's OpenSSH (`ssh -F <file>`) for one connection: the
 * gateway with fresh credentials, and then the user's own config and the system's, included, so
 * their settings still apply. The credentials go in a file of cw's own (owner-only, removed when
 * ssh exits) rather than on ssh's command line, where every local user could read them with `ps`.
 */
export interface DirectConfigOptions {
  credentials: GatewayCredentials;
  /** cw's known_hosts, where ssh pins the gateway's key on first use, as the bridge does. */
  knownHostsFile: string;
  /** Config files to include after cw's entry, when they exist. */
  includes: string[];
}

const quoted = (path: string) => `"${path.replace(/%/g, "%%")}"`;

export function renderDirectConfig(opts: DirectConfigOptions): string {
  const { host, port, username } = opts.credentials;
  const lines = [
    "# Written by `cw ssh` for one connection; removed when it ends.",
    `Host ${host}`,
    `  Port ${port}`,
    // The gateway takes its short-lived token in the user name ("none" auth).
    `  User ${username}`,
    `  UserKnownHostsFile ${quoted(opts.knownHostsFile)}`,
    "  StrictHostKeyChecking accept-new",
    // Readable pins: the bridge reads the same file, and skips hashed names.
    "  HashKnownHosts no",
    // The connection lives exactly as long as this ssh (and cw's hold on the workspace).
    "  ControlMaster no",
    "  ControlPath none",
    "Match all",
    ...opts.includes.map((file) => `  Include ${quoted(file)}`),
  ];
  return `${lines.join("\n")}\n`;
}

/** The user's and the system's client configs, as ssh would read them without `-F`. */
export function defaultIncludes(platform: NodeJS.Platform = process.platform, home = homedir()): string[] {
  const system =
    platform === "win32"
      ? join(process.env.ProgramData || "C:\\ProgramData", "ssh", "ssh_config")
      : "/etc/ssh/ssh_config";
  return [userSshConfig(home), system].filter((file) => existsSync(file));
}

/** Writes the config into cw's folder; `remove` deletes it. */
export async function writeDirectConfig(dir: string, opts: DirectConfigOptions) {
  const file = join(dir, `ssh-${randomBytes(6).toString("hex")}.conf`);
  await writePrivateFile(file, renderDirectConfig(opts));
  return { file, remove: () => rm(file, { force: true }) };
}
