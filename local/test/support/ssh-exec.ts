import { Client } from "ssh2";

/** Runs one command over SSH the way Freestyle's gateway is reached: "none" auth, token in the username. */
export function sshExec(
  creds: { host: string; port: number; username: string },
  command: string,
): Promise<{ stdout: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const conn = new Client();
    let stdout = "";
    conn
      .on("ready", () => {
        conn.exec(command, (err, stream) => {
          if (err) return reject(err);
          let code: number | null = null;
          stream.on("data", (d: Buffer) => (stdout += d.toString()));
          stream.on("exit", (c: number | null) => (code = c));
          stream.on("close", () => {
            conn.end();
            resolve({ stdout, code });
          });
        });
      })
      .on("error", reject)
      .connect({ host: creds.host, port: creds.port, username: creds.username, readyTimeout: 10_000 });
  });
}
