import { BRIDGE_HOST_ALIAS } from "../ssh-bridge/host-key.ts";
import { SSH_HOST_PREFIX } from "../workspace-ref.ts";

/**
 * What cw's block says (`Host cw-*`): one wildcard entry, so a new workspace is reachable at once
 * as `cw-<name>` without running config-ssh again; `cw ssh-proxy` resolves the name on each
 * connect. Pure: paths and platform come in.
 */
export interface CwHostsOptions {
  /** The Node that runs cw, and cw's entry script: absolute, so editors with another PATH find them. */
  node: string;
  script: string;
  /** cw's known_hosts (the bridge's key under its alias, the gateways' keys). */
  knownHostsFile: string;
  /**
   * Where shared connections' control sockets go (with --multiplex only): the folder of the ssh
   * config, whose path is short enough for a socket's (104 bytes on macOS, where cw's own config
   * folder is not: ssh adds 57 characters to the path it is given).
   */
  multiplexIn?: string;
  platform: NodeJS.Platform;
}

/** How long a multiplexed connection outlives its last session (and keeps the workspace in use). */
export const CONTROL_PERSIST = "1m";

/** `%` starts an ssh_config token (`%n`, `%C`); a literal one is `%%`. */
const escapeTokens = (path: string) => path.replace(/%/g, "%%");

/** A path as an ssh_config argument (double quotes keep spaces in it). */
const configPath = (path: string) => `"${escapeTokens(path)}"`;

/**
 * A word of the ProxyCommand, which ssh hands to the user's shell (`sh -c` on Unix; on Windows
 * OpenSSH starts it through cmd-style parsing).
 */
function commandWord(word: string, platform: NodeJS.Platform): string {
  const escaped = escapeTokens(word);
  if (platform === "win32") return `"${escaped}"`;
  return `'${escaped.replace(/'/g, `'\\''`)}'`;
}

export function cwHostsBlock(opts: CwHostsOptions): string[] {
  const proxy = [
    commandWord(opts.node, opts.platform),
    commandWord(opts.script, opts.platform),
    "ssh-proxy",
    "%n",
  ];
  const lines = [
    "# ssh cw-<workspace> reaches a workspace through cw's SSH bridge (cw ssh-proxy), which fetches",
    "# fresh credentials on every connect, resumes a paused workspace and keeps it in use meanwhile.",
    `Host ${SSH_HOST_PREFIX}*`,
    `  ProxyCommand ${proxy.join(" ")}`,
    `  HostKeyAlias ${BRIDGE_HOST_ALIAS}`,
    `  UserKnownHostsFile ${configPath(opts.knownHostsFile)}`,
    "  StrictHostKeyChecking yes",
    "  User cw",
    "  LogLevel ERROR",
  ];
  if (opts.multiplexIn)
    lines.push(
      "  ControlMaster auto",
      // %C: a hash of the connection's host, port and user, short enough for a socket path.
      `  ControlPath "${escapeTokens(opts.multiplexIn)}/cw-%C"`,
      `  ControlPersist ${CONTROL_PERSIST}`,
    );
  lines.push("# What follows applies to every host, as it did before cw's block.", "Host *");
  return lines;
}
