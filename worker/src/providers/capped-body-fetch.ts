import { ProviderError } from "./types.ts";

/** Bytes of one provider answer the worker reads at most (a command's output included). */
export const RESPONSE_MAX_BYTES = 4 * 1024 * 1024;

/**
 * The SDK reads whole answers into memory, and some carry what a VM chose: a command's output, a
 * file it wrote. Every call goes through this fetch, whose bodies fail with a ProviderError past
 * `maxBytes` (at once when the answer's length says so) instead of growing without end.
 */
export function cappedBodyFetch(maxBytes: number, base: typeof fetch = fetch): typeof fetch {
  const tooLarge = () =>
    new ProviderError(`the provider's answer was larger than ${maxBytes} bytes`, "RESPONSE_TOO_LARGE");
  return async (input, init) => {
    const res = await base(input, init);
    if (!res.body) return res;
    if (Number(res.headers.get("content-length") ?? 0) > maxBytes) {
      await res.body.cancel();
      throw tooLarge();
    }
    let seen = 0;
    const capped = res.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          seen += chunk.byteLength;
          if (seen > maxBytes) controller.error(tooLarge());
          else controller.enqueue(chunk);
        },
      }),
    );
    return new Response(capped, { status: res.status, statusText: res.statusText, headers: res.headers });
  };
}
