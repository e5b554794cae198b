/**
 * Polls `probe` until it returns something truthy and returns that, or throws after `timeoutMs`
 * naming `what` (and the probe's last error, if it threw). The default deadline is generous on
 * purpose: probes wait on real processes (git, SSH, wrangler) on a machine that may be busy.
 *
 * Plain timers only, so it runs in Node and inside workerd alike.
 */
export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  timeoutMs = 30_000,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${lastError}` : ""}`,
      );
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
