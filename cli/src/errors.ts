import { ApiError } from "@cw/contracts/client";

/** A failure cw explains in one line (`cw: <message>` on stderr), exit code 1. */
export class CliError extends Error {
  override name = "CliError";
}

/**
 * The one line a failure is said in: the API's own `detail` for its errors (a refused token with
 * what to do about it), cw's message for its own, the message for anything else.
 */
export function messageOf(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.status === 401) return `the API refused cw's token: ${err.detail} (cw login stores another)`;
    return err.detail;
  }
  return err instanceof Error ? err.message : String(err);
}
