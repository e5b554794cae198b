import { existsSync } from "node:fs";

/**
 * OpenSSH's `sftp-server`, which a VM's own sshd runs for the `sftp` subsystem (and so for `scp`,
 * which speaks SFTP since OpenSSH 9). It is not on the PATH anywhere: each system keeps it in its
 * own libexec folder, so look where it usually lives, or at `CW_SFTP_SERVER`.
 */
export function sftpServerCandidates(platform: NodeJS.Platform): string[] {
  if (platform === "darwin") return ["/usr/libexec/sftp-server"];
  return [
    "/usr/lib/openssh/sftp-server", // Debian, Ubuntu (openssh-sftp-server)
    "/usr/libexec/openssh/sftp-server", // Fedora, RHEL (openssh-server)
    "/usr/lib/ssh/sftp-server", // Arch, Alpine (openssh-sftp-server)
    "/usr/libexec/sftp-server",
  ];
}

/** How to get one, in one line: what a refused subsystem logs and what the SFTP tests fail with. */
export const SFTP_SERVER_MISSING =
  "No OpenSSH sftp-server found (scp and sftp need it): install it (Debian/Ubuntu: sudo apt install openssh-sftp-server; Fedora/RHEL: sudo dnf install openssh-server; macOS has it) or set CW_SFTP_SERVER to its path";

export type SftpServer = { path: string } | { problem: string };

export function findSftpServer(
  platform: NodeJS.Platform = process.platform,
  env: Record<string, string | undefined> = process.env,
  exists: (path: string) => boolean = existsSync,
): SftpServer {
  const override = env.CW_SFTP_SERVER;
  if (override) {
    return exists(override)
      ? { path: override }
      : { problem: `CW_SFTP_SERVER is ${override}, which does not exist: point it at OpenSSH's sftp-server` };
  }
  const found = sftpServerCandidates(platform).find(exists);
  return found ? { path: found } : { problem: SFTP_SERVER_MISSING };
}
