import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEmbeddedPostgres } from "@cw/local/stack/embedded-postgres";
import { freePort } from "@cw/local/stack/ports";

export interface TestPostgres {
  /** `postgres://user[:password]@host:port`; append `/<database>`. */
  baseUrl: string;
  /** Where it is, for a line in the test output. */
  description: string;
  close(): Promise<void>;
}

/**
 * Whether a PostgreSQL answers at host:port: it replies to an SSLRequest with one byte, S or N.
 * (Anything else listening there, or nothing, is "no".)
 */
export function postgresAnswers(host: string, port: number, timeoutMs = 2_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, host);
    const done = (answer: boolean) => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("error", () => done(false));
    socket.once("connect", () => socket.write(Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f])));
    socket.once("data", (reply) => done(reply.length === 1 && (reply[0] === 0x53 || reply[0] === 0x4e)));
  });
}

/**
 * The PostgreSQL the tests use: the one at `TEST_PG_HOST` (default 127.0.0.1:5432, user
 * `TEST_PG_USER` or postgres, no password) when one answers there, else an embedded server of
 * their own in a temporary folder, removed on close.
 */
export async function testPostgres(env = process.env): Promise<TestPostgres> {
  const hostPort = env.TEST_PG_HOST || "127.0.0.1:5432";
  const [host = "127.0.0.1", port = "5432"] = hostPort.split(":");
  if (await postgresAnswers(host, Number(port))) {
    const user = env.TEST_PG_USER || "postgres";
    return {
      baseUrl: `postgres://${user}@${hostPort}`,
      description: `PostgreSQL at ${hostPort} (TEST_PG_HOST)`,
      close: async () => {},
    };
  }
  const parent = mkdtempSync(join(tmpdir(), "cw-test-pg-"));
  // As root the server runs as the postgres user, which must be able to reach its folder.
  chmodSync(parent, 0o755);
  try {
    const server = await startEmbeddedPostgres({
      dir: join(parent, "postgres"),
      port: await freePort(),
      log: () => {},
      throwaway: true,
    });
    return {
      baseUrl: server.url.replace(/\/postgres$/, ""),
      description: `embedded PostgreSQL on 127.0.0.1:${server.port} (nothing answered at ${hostPort})`,
      async close() {
        await server.close();
        rmSync(parent, { recursive: true, force: true });
      },
    };
  } catch (err) {
    rmSync(parent, { recursive: true, force: true });
    throw err;
  }
}
