import type { ConnectionState } from "../workspace-store.ts";

/**
 * Connection state from what the shape stream's requests do, by wrapping the `fetch` it uses
 * (its own retry loop and backoff stay in charge):
 * - a network error, 5xx or 429 → offline (the client retries with backoff);
 * - an answer to a live request → live (the server only holds live requests of up-to-date clients);
 * - a live request still held after `probeAfterMs` while the server answers `/healthz` → live.
 *   Without this, coming back online would look "offline" for a whole long-poll (~20 s): a held
 *   long-poll means the server had nothing newer than what we have.
 * The store itself sets live on every up-to-date message.
 */
export function connectionTracker(opts: {
  fetch: typeof fetch;
  healthUrl: string;
  state: () => ConnectionState;
  set: (state: ConnectionState) => void;
  probeAfterMs?: number;
}) {
  const probeAfterMs = opts.probeAfterMs ?? 1_000;

  async function healthy(): Promise<boolean> {
    try {
      const res = await opts.fetch(opts.healthUrl, { signal: AbortSignal.timeout(3_000) });
      await res.body?.cancel();
      return res.ok;
    } catch {
      return false;
    }
  }

  const tracked = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const live = url.searchParams.get("live") === "true";
    let settled = false;
    const probe =
      live && opts.state() !== "live"
        ? setTimeout(async () => {
            if (!settled && (await healthy()) && !settled) opts.set("live");
          }, probeAfterMs)
        : undefined;
    try {
      const res = await opts.fetch(input, init);
      if (res.status >= 500 || res.status === 429) opts.set("offline");
      else if (res.ok && live) opts.set("live");
      else if (opts.state() === "offline") opts.set("connecting");
      return res;
    } catch (err) {
      if (!init?.signal?.aborted) opts.set("offline");
      throw err;
    } finally {
      settled = true;
      clearTimeout(probe);
    }
  };
  return tracked as typeof fetch;
}
