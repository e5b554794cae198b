import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import { type FleetOptions, storeFleet } from "./store-fleet.ts";
import { clock, whenStatus } from "./store-watch.ts";

/**
 * The store fleet in a worker thread of its own, so that hundreds of clients parsing answers and
 * writing their files do not slow the local stack's database proxy and VM host, which run on this
 * process's main thread: the stack should be measured, not the clients' share of its event loop.
 * `startFleetThread()` on the main side; the thread's side is `serve()` below (this same file).
 */
export interface FleetThread {
  grow(size: number): Promise<void>;
  counts(): Promise<FleetCounts>;
  /** Every store connected, up to date and showing workspace `id` in `status`. */
  allShowing(id: string, status: string): Promise<boolean>;
  /**
   * Watches every store for workspace `id` in `status`; resolves once watching, with the promise
   * of when (`clock()`) each store showed it.
   */
  arm(id: string, status: string, timeoutMs: number): Promise<{ seen: Promise<number[]> }>;
  /** `n` concurrent GETs of `url` from the fleet's thread: each one's time to its answer (ms). */
  burst(url: string, n: number): Promise<number[]>;
  close(): Promise<void>;
}

export interface FleetCounts {
  stores: number;
  liveInFlight: number;
  liveAnswered: number;
  problems: number;
}

type Request =
  | { op: "grow"; size: number }
  | { op: "counts" }
  | { op: "allShowing"; id: string; status: string }
  | { op: "arm"; id: string; status: string; timeoutMs: number; seenSeq: number }
  | { op: "burst"; url: string; n: number }
  | { op: "close" };
type Reply = { seq: number; ok: true; value: unknown } | { seq: number; ok: false; error: string };

export function startFleetThread(opts: FleetOptions): FleetThread {
  // The thread runs this TypeScript file too: tsx's loader first (threads do not inherit it).
  const worker = new Worker(
    `import(${JSON.stringify(import.meta.resolve("tsx/esm/api"))})
       .then((tsx) => { tsx.register(); return import(${JSON.stringify(import.meta.url)}); })`,
    { eval: true, workerData: opts },
  );
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextSeq = 0;
  worker.on("message", (reply: Reply) => {
    const p = pending.get(reply.seq);
    pending.delete(reply.seq);
    if (reply.ok) p?.resolve(reply.value);
    else p?.reject(new Error(reply.error));
  });
  worker.on("error", (err) => {
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  });
  const expect = <T>(seq: number) =>
    new Promise<T>((resolve, reject) =>
      pending.set(seq, { resolve: resolve as (v: unknown) => void, reject }),
    );
  const call = <T>(req: Request) => {
    const seq = nextSeq++;
    const answer = expect<T>(seq);
    worker.postMessage({ seq, ...req });
    return answer;
  };
  return {
    grow: (size) => call({ op: "grow", size }),
    counts: () => call({ op: "counts" }),
    allShowing: (id, status) => call({ op: "allShowing", id, status }),
    async arm(id, status, timeoutMs) {
      const seenSeq = nextSeq++;
      const seen = expect<number[]>(seenSeq);
      // Its rejection is the caller's to see once it awaits `seen`, not an unhandled one before.
      seen.catch(() => {});
      await call({ op: "arm", id, status, timeoutMs, seenSeq });
      return { seen };
    },
    burst: (url, n) => call({ op: "burst", url, n }),
    async close() {
      try {
        await call({ op: "close" });
      } finally {
        await worker.terminate();
      }
    },
  };
}

/** The thread's side: one fleet, driven by the main thread's requests. */
function serve(opts: FleetOptions) {
  const fleet = storeFleet(opts);
  const port = parentPort!;
  const reply = (seq: number, run: () => unknown) =>
    Promise.resolve()
      .then(run)
      .then(
        (value) => port.postMessage({ seq, ok: true, value } satisfies Reply),
        (err: unknown) => port.postMessage({ seq, ok: false, error: String(err) } satisfies Reply),
      );
  port.on("message", (msg: Request & { seq: number }) => {
    switch (msg.op) {
      case "grow":
        return reply(msg.seq, () => fleet.grow(msg.size));
      case "counts":
        return reply(msg.seq, () => ({
          stores: fleet.stores.length,
          liveInFlight: fleet.liveInFlight(),
          liveAnswered: fleet.liveAnswered(),
          problems: fleet.problems.length,
        }));
      case "allShowing":
        return reply(msg.seq, () =>
          fleet.stores.every((s) => {
            const snap = s.snapshot();
            return (
              snap.connection === "live" &&
              snap.workspaces.some((w) => w.id === msg.id && w.status === msg.status)
            );
          }),
        );
      case "arm": {
        const seen = Promise.all(fleet.stores.map((s) => whenStatus(s, msg.id, msg.status, msg.timeoutMs)));
        void reply(msg.seenSeq, () => seen);
        return reply(msg.seq, () => null);
      }
      case "burst":
        return reply(msg.seq, () =>
          Promise.all(
            Array.from({ length: msg.n }, async () => {
              const t0 = clock();
              await (await fetch(msg.url)).text();
              return clock() - t0;
            }),
          ),
        );
      case "close":
        return reply(msg.seq, () => fleet.close());
    }
  });
}

if (!isMainThread) serve(workerData as FleetOptions);
