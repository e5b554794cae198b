import { describe, expect, it } from "vitest";
import { findSftpServer, SFTP_SERVER_MISSING } from "../src/vm-host/sftp-server.ts";

const at =
  (...paths: string[]) =>
  (p: string) =>
    paths.includes(p);

describe("OpenSSH's sftp-server for the VM host's sftp subsystem", () => {
  it("is found where Debian, Fedora or macOS keep it, or at CW_SFTP_SERVER", () => {
    expect(findSftpServer("linux", {}, at("/usr/lib/openssh/sftp-server"))).toEqual({
      path: "/usr/lib/openssh/sftp-server",
    });
    expect(findSftpServer("linux", {}, at("/usr/libexec/openssh/sftp-server"))).toEqual({
      path: "/usr/libexec/openssh/sftp-server",
    });
    expect(findSftpServer("darwin", {}, at("/usr/libexec/sftp-server"))).toEqual({
      path: "/usr/libexec/sftp-server",
    });
    expect(
      findSftpServer(
        "linux",
        { CW_SFTP_SERVER: "/opt/ssh/sftp" },
        at("/opt/ssh/sftp", "/usr/lib/openssh/sftp-server"),
      ),
    ).toEqual({ path: "/opt/ssh/sftp" });
  });

  it("when missing, is one line saying how to install it (or that CW_SFTP_SERVER points nowhere)", () => {
    const none = findSftpServer("linux", {}, at());
    expect(none).toEqual({ problem: SFTP_SERVER_MISSING });
    expect(SFTP_SERVER_MISSING).not.toContain("\n");
    expect(SFTP_SERVER_MISSING).toMatch(/apt install openssh-sftp-server.*dnf install openssh-server/);
    expect(findSftpServer("linux", { CW_SFTP_SERVER: "/nope" }, at("/usr/lib/openssh/sftp-server"))).toEqual({
      problem: "CW_SFTP_SERVER is /nope, which does not exist: point it at OpenSSH's sftp-server",
    });
  });
});
