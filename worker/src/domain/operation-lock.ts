/**
 * An operation lock older than this many ms is treated as abandoned (its isolate died mid-call), so
 * a workspace can never stay locked forever. It exceeds every provider deadline.
 */
export const lockStaleAfterMs = (config: { PROVIDER_CREATE_TIMEOUT_MS: number }) =>
  config.PROVIDER_CREATE_TIMEOUT_MS * 2;

/** Whether a lock taken at `startedAt` may be taken over at `now`; the SQL twin is in `acquireOperation`. */
export function operationIsStale(startedAt: Date | null, now: Date, staleAfterMs: number): boolean {
  return startedAt === null || now.getTime() - startedAt.getTime() > staleAfterMs;
}
