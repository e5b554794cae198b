/**
 * The Freestyle SDK has no timeouts: every call goes through this fetch, which aborts after
 * `ms` milliseconds so a hung provider can never hold a request or a workspace lock forever.
 */
export function deadlineFetch(ms: number, base: typeof fetch = fetch): typeof fetch {
  return (input, init) => {
    const signal = init?.signal
      ? AbortSignal.any([init.signal, AbortSignal.timeout(ms)])
      : AbortSignal.timeout(ms);
    return base(input, { ...init, signal });
  };
}
