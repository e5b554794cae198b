import { z } from "zod";
import { ApiError, defaultCodeForStatus } from "./errors.ts";

export const faultSpecSchema = z.object({
  method: z.string().optional(),
  /** Regex source matched against the URL path (no query string). */
  path: z.string(),
  status: z.number().int().min(100).max(599).optional(),
  code: z.string().optional(),
  message: z.string().optional(),
  delayMs: z.number().int().min(0).optional(),
  /** How many matching requests the fault applies to; unlimited when absent. */
  times: z.number().int().min(1).optional(),
});
export type FaultSpec = z.infer<typeof faultSpecSchema>;

interface Fault {
  spec: FaultSpec;
  pattern: RegExp;
  remaining: number;
}

/** Test-only: makes chosen API requests slow or fail so callers' error paths can be exercised. */
export class FaultInjector {
  private faults: Fault[] = [];

  add(spec: FaultSpec): void {
    let pattern: RegExp;
    try {
      pattern = new RegExp(spec.path);
    } catch (e) {
      throw new ApiError(400, "BAD_REQUEST", `invalid path regex: ${(e as Error).message}`);
    }
    this.faults.push({ spec, pattern, remaining: spec.times ?? Number.POSITIVE_INFINITY });
  }

  clear(): void {
    this.faults = [];
  }

  /**
   * Consumes the first matching fault. Resolves to the error to answer with, or null when the
   * request should proceed to its real handler (after any delay).
   */
  async apply(method: string, path: string): Promise<ApiError | null> {
    const fault = this.faults.find(
      (f) =>
        f.remaining > 0 &&
        (f.spec.method === undefined || f.spec.method.toUpperCase() === method.toUpperCase()) &&
        f.pattern.test(path),
    );
    if (!fault) return null;
    fault.remaining--;
    if (fault.remaining <= 0) this.faults = this.faults.filter((f) => f !== fault);
    if (fault.spec.delayMs) await new Promise((r) => setTimeout(r, fault.spec.delayMs));
    if (fault.spec.status === undefined) return null;
    const code = fault.spec.code ?? defaultCodeForStatus(fault.spec.status);
    return new ApiError(fault.spec.status, code, fault.spec.message ?? `injected fault on ${method} ${path}`);
  }
}
