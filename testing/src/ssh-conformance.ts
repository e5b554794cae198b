import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { findSftpServer } from "@cw/local/vm-host/sftp-server";
import type ssh2 from "ssh2";
import { expect, it } from "vitest";
import { type OpenSshTarget, openSsh, sshOnTerminal, startSsh } from "./openssh.ts";

/**
 * What an editor, scp, rsync or a port forward needs from a VM's sshd, checked with the real
 * OpenSSH clients (and ssh2 for `signal`, which OpenSSH's client never sends). Shared by the local
 * VM host's own tests and by the SSH bridge's, which must speak exactly the same.
 */
export interface SshConformanceTarget {
  openssh: OpenSshTarget;
  /** Host directory where the VM's commands run (relative scp/sftp/rsync paths land here). */
  workdir: string;
  /** What `git rev-parse HEAD` prints in the workdir. */
  head: string;
  /** An ssh2 client logged in to the same VM. */
  connectSsh2(): Promise<ssh2.Client>;
}

const TRANSFER_BYTES = 20 * 1024 * 1024;

/** scp and sftp need OpenSSH's sftp-server on the VM's side: without one, fail saying how to get it. */
function needSftpServer(): void {
  const found = findSftpServer();
  if ("problem" in found) throw new Error(found.problem);
}
const sha256 = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex");

function exec(client: ssh2.Client, command: string, onStdout?: (text: string) => void) {
  return new Promise<{
    channel: ssh2.ClientChannel;
    done: Promise<{ stdout: string; code: number | null; signal?: string }>;
  }>((resolve, reject) =>
    client.exec(command, (err, channel) => {
      if (err) return reject(err);
      let stdout = "";
      const done = new Promise<{ stdout: string; code: number | null; signal?: string }>((res) => {
        let exit: { code: number | null; signal?: string } = { code: null };
        channel.on("data", (d: Buffer) => {
          stdout += d.toString();
          onStdout?.(stdout);
        });
        channel.stderr.resume();
        channel.on("exit", (code: number | null, signal?: string) => (exit = { code, signal }));
        channel.on("close", () => res({ stdout, ...exit }));
      });
      resolve({ channel, done });
    }),
  );
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export function sshConformance(target: () => SshConformanceTarget): void {
  const clients = () => openSsh(target().openssh);
  const host = () => target().openssh.host;

  it("exec returns the command's output and exit status, a failing one its own status", async () => {
    const { ssh } = clients();
    expect(await ssh([host(), "git rev-parse HEAD"])).toEqual({
      stdout: `${target().head}\n`,
      stderr: "",
      code: 0,
    });
    expect(await ssh([host(), "echo oops >&2; exit 3"])).toEqual({ stdout: "", stderr: "oops\n", code: 3 });
  });

  it("passes env, runs a shell without a PTY and a command with one", async () => {
    const { ssh } = clients();
    const env = await ssh(["-o", "SetEnv=CW_PROBE=hello-env", host(), 'printf %s "$CW_PROBE"']);
    expect(env.stdout).toBe("hello-env");
    const shell = await ssh(["-T", host()], "echo no-pty-$((1+1)); test -t 0 || echo stdin-not-a-tty\n");
    expect(shell).toMatchObject({ stdout: "no-pty-2\nstdin-not-a-tty\n", code: 0 });
    const onPty = await ssh(["-tt", host(), "test -t 0 && echo has-a-tty; exit 4"]);
    expect(onPty.stdout).toContain("has-a-tty");
    expect(onPty.code).toBe(4);
  });

  it("reports a command killed by a signal as exit-signal (OpenSSH exits 255)", async () => {
    const { ssh } = clients();
    const killed = await ssh([host(), "echo before; kill -TERM $$"]);
    expect(killed.stdout).toBe("before\n");
    expect(killed.code).toBe(255);
  });

  it("gives `ssh -tt` a terminal that follows resizes", async () => {
    const term = sshOnTerminal(target().openssh, 100, 30);
    try {
      // Outputs are spelled differently from the echoed command line so only real output matches.
      term.write('echo "size=$(stty size) term=$TERM"\r');
      await term.read(/size=30 100 term=xterm-256color/);
      term.resize(120, 40);
      // ssh sends the window-change at its next loop turn, which keys typed at once can beat:
      // ask again until the new size shows (each answer awaited, so a lost resize still fails).
      const sizes: string[] = [];
      while (sizes.at(-1) !== "40 120" && sizes.length < 20) {
        term.write('echo "size=$(stty size)"\r');
        sizes.push((await term.read(/size=(\d+ \d+)/))[1]!);
      }
      expect(sizes.at(-1)).toBe("40 120");
      term.write("exit 0\r");
    } finally {
      term.close();
    }
  });

  it("copies 20 MB both ways with scp", async () => {
    needSftpServer();
    const { scp } = clients();
    const { home } = target().openssh;
    const local = join(home, "upload.bin");
    writeFileSync(local, randomBytes(TRANSFER_BYTES));
    expect(await scp(local, `${host()}:scp-upload.bin`)).toMatchObject({ code: 0 });
    expect(sha256(join(target().workdir, "scp-upload.bin"))).toBe(sha256(local));
    const back = join(home, "download.bin");
    expect(await scp(`${host()}:scp-upload.bin`, back)).toMatchObject({ code: 0 });
    expect(sha256(back)).toBe(sha256(local));
  });

  it("lists the workdir over sftp", async () => {
    needSftpServer();
    const listing = await clients().sftp("ls -1\n");
    expect(listing.code).toBe(0);
    expect(listing.stdout.split("\n")).toEqual(expect.arrayContaining(["README.md", "feature.txt"]));
  });

  it("syncs a tree both ways with rsync -e ssh", async () => {
    const { rsync } = clients();
    const { home } = target().openssh;
    const tree = join(home, "tree");
    mkdirSync(join(tree, "nested"), { recursive: true });
    writeFileSync(join(tree, "a.txt"), "alpha\n");
    writeFileSync(join(tree, "nested", "b.txt"), "beta\n");
    expect(await rsync(["-a", `${tree}/`, `${host()}:synced/`])).toMatchObject({ code: 0 });
    expect(readFileSync(join(target().workdir, "synced", "nested", "b.txt"), "utf8")).toBe("beta\n");
    writeFileSync(join(target().workdir, "synced", "c.txt"), "gamma\n");
    const back = join(home, "tree-back");
    expect(await rsync(["-a", `${host()}:synced/`, `${back}/`])).toMatchObject({ code: 0 });
    expect(readFileSync(join(back, "c.txt"), "utf8")).toBe("gamma\n");
    expect(readFileSync(join(back, "a.txt"), "utf8")).toBe("alpha\n");
  });

  it("forwards a local port to a server listening inside the VM (ssh -L)", async () => {
    const body = `from-the-vm-${randomBytes(4).toString("hex")}`;
    writeFileSync(
      join(target().workdir, "forward-probe.cjs"),
      `require("node:http").createServer((q, s) => s.end(${JSON.stringify(body)}))` +
        `.listen(0, "127.0.0.1", function () { console.log("port=" + this.address().port); });\n`,
    );
    const server = startSsh(target().openssh, [host(), "exec node forward-probe.cjs"]);
    const forwardPort = await freePort();
    let forward: ReturnType<typeof startSsh> | undefined;
    try {
      const vmPort = (await server.waitFor(/port=(\d+)/))[1];
      forward = startSsh(target().openssh, [
        "-o",
        "ExitOnForwardFailure=yes",
        "-L",
        `${forwardPort}:127.0.0.1:${vmPort}`,
        host(),
        "echo forwarding; exec sleep 600",
      ]);
      // ssh binds its local forwards before it opens the session, so the echo means it listens.
      await forward.waitFor(/forwarding/);
      const res = await fetch(`http://127.0.0.1:${forwardPort}/`);
      expect(await res.text()).toBe(body);
    } finally {
      await forward?.stop();
      await server.stop();
    }
  });

  it("delivers signals to the running command and reports exit-signal (ssh2 client)", async () => {
    const client = await target().connectSsh2();
    try {
      const ready = (text: string) => text.includes("ready");
      let sawReady: () => void = () => {};
      const readyP = new Promise<void>((r) => (sawReady = r));
      const trapped = await exec(
        client,
        "trap 'echo got-int; exit 7' INT; echo ready; while :; do sleep 0.1; done",
        (out) => ready(out) && sawReady(),
      );
      await readyP;
      trapped.channel.signal("INT");
      expect(await trapped.done).toMatchObject({ stdout: "ready\ngot-int\n", code: 7 });

      let sawSleeping: () => void = () => {};
      const sleepingP = new Promise<void>((r) => (sawSleeping = r));
      const sleeping = await exec(client, "echo ready; exec sleep 300", (out) => ready(out) && sawSleeping());
      await sleepingP;
      sleeping.channel.signal("TERM");
      expect(await sleeping.done).toMatchObject({ code: null, signal: "SIGTERM" });
    } finally {
      client.end();
    }
  });
}
