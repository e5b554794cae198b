import type { Log } from "./log.ts";

/** wrangler dev does not fire Cron Triggers; this ticks the worker's /__scheduled every minute. */
export function startCronTicker(workerUrl: string, log: Log, everyMs = 60_000) {
  const tick = async () => {
    try {
      const res = await fetch(`${workerUrl}/__scheduled?cron=${encodeURIComponent("* * * * *")}`);
      if (!res.ok) log(`tick answered ${res.status}`);
    } catch (err) {
      log(`tick failed: ${err instanceof Error ? err.message : err}`);
    }
  };
  const timer = setInterval(tick, everyMs);
  return { tick, close: () => clearInterval(timer) };
}
