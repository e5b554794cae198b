import { createServer, type Server, type Socket } from "node:net";
import type { PGlite } from "@electric-sql/pglite";

/**
 * Serves one PGlite over the Postgres wire protocol to many TCP clients.
 *
 * PGlite is a single backend, so clients take turns: a client holds it from the first message of a
 * batch (up to Sync, a simple Query or Flush) until PGlite answers ReadyForQuery "idle" — so an
 * extended-protocol exchange or a whole transaction is never interleaved with another client's.
 * (pglite-socket queues individual messages, which mixes one client's Parse/Bind/Execute with
 * another's and returns wrong results under concurrency.)
 */

const SSL_REQUEST = 80877103;
const CANCEL_REQUEST = 80877102;
const BATCH_ENDS = new Set(["S", "Q", "H"]);

class BackendLock {
  private owner: number | null = null;
  private waiters: { id: number; resolve: () => void }[] = [];

  async acquire(id: number) {
    if (this.owner === id) return;
    if (this.owner === null) {
      this.owner = id;
      return;
    }
    await new Promise<void>((resolve) => this.waiters.push({ id, resolve }));
  }

  release(id: number) {
    if (this.owner !== id) return;
    const next = this.waiters.shift();
    this.owner = next?.id ?? null;
    next?.resolve();
  }

  holds(id: number) {
    return this.owner === id;
  }
}

/** "I" idle, "T" in a transaction, "E" in a failed one; null when the output does not end with ReadyForQuery. */
function readyStatus(out: Uint8Array): string | null {
  const n = out.length;
  if (n < 6 || out[n - 6] !== 0x5a) return null; // 'Z', length 5, status
  return String.fromCharCode(out[n - 1]!);
}

export interface PgliteServer {
  port: number;
  connections(): number;
  close(): Promise<void>;
}

export async function servePglite(db: PGlite, port: number, host = "127.0.0.1"): Promise<PgliteServer> {
  const lock = new BackendLock();
  const sockets = new Set<Socket>();
  let nextId = 1;

  const run = async (id: number, batch: Uint8Array) => {
    await lock.acquire(id);
    const chunks: Uint8Array[] = [];
    await db.execProtocolRawStream(batch, { onRawData: (chunk) => chunks.push(chunk.slice()) });
    const out = Buffer.concat(chunks);
    if (readyStatus(out) === "I") lock.release(id);
    return out;
  };

  /** A client gone mid-transaction or mid-exchange must not leave the backend in its state. */
  const abandon = async (id: number) => {
    if (!lock.holds(id)) return;
    try {
      await db.execProtocolRawStream(new Uint8Array([0x53, 0, 0, 0, 4]), { onRawData: () => {} }); // Sync
      if (db.isInTransaction()) await db.exec("rollback");
    } finally {
      lock.release(id);
    }
  };

  const handle = (socket: Socket) => {
    const id = nextId++;
    sockets.add(socket);
    socket.setNoDelay(true);
    let buffer = Buffer.alloc(0);
    let started = false;
    let pending: Buffer[] = [];
    let queue = Promise.resolve();

    const process = async () => {
      for (;;) {
        if (!started) {
          if (buffer.length < 8) return;
          const length = buffer.readInt32BE(0);
          if (buffer.length < length) return;
          const code = buffer.readInt32BE(4);
          const message = buffer.subarray(0, length);
          buffer = buffer.subarray(length);
          if (code === SSL_REQUEST) {
            socket.write("N");
            continue;
          }
          if (code === CANCEL_REQUEST) {
            socket.end();
            return;
          }
          started = true;
          socket.write(await run(id, message));
          continue;
        }
        if (buffer.length < 5) return;
        const type = String.fromCharCode(buffer[0]!);
        const length = 1 + buffer.readInt32BE(1);
        if (buffer.length < length) return;
        const message = buffer.subarray(0, length);
        buffer = buffer.subarray(length);
        if (type === "X") {
          await abandon(id);
          socket.end();
          return;
        }
        pending.push(message);
        if (!BATCH_ENDS.has(type)) continue;
        const batch = Buffer.concat(pending);
        pending = [];
        const out = await run(id, batch);
        if (out.length > 0 && socket.writable) socket.write(out);
      }
    };

    socket.on("data", (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      queue = queue.then(process).catch(() => void socket.destroy());
    });
    socket.on("error", () => socket.destroy());
    socket.on("close", () => {
      sockets.delete(socket);
      queue = queue.then(() => abandon(id)).catch(() => {});
    });
  };

  const server: Server = createServer(handle);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, resolve);
  });
  const address = server.address();
  return {
    port: typeof address === "object" && address ? address.port : port,
    connections: () => sockets.size,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
