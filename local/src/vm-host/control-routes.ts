import { type FaultInjector, faultSpecSchema } from "./faults.ts";
import { type Route, route } from "./router.ts";
import { parseBody, stateOverrideBodySchema } from "./schemas.ts";
import type { VmRegistry } from "./vm-registry.ts";

export interface CallRecord {
  method: string;
  path: string;
  status: number;
  /** ISO time the request arrived. */
  at: string;
  /** ISO time its answer was ready (after any injected delay), so tests can order calls. */
  finishedAt: string;
  /** Parsed JSON body, so tests can assert what a caller actually sent. */
  body: unknown;
}

export class CallLog {
  private calls: CallRecord[] = [];

  record(call: CallRecord): void {
    this.calls.push(call);
  }

  all(): CallRecord[] {
    return [...this.calls];
  }

  clear(): void {
    this.calls = [];
  }
}

/** Test-only hooks under /__control; served without auth and only when enabled. */
export function controlRoutes(vms: VmRegistry, faults: FaultInjector, calls: CallLog): Route[] {
  return [
    route("POST", "/__control/faults", ({ body }) => {
      faults.add(parseBody(faultSpecSchema, body));
      return {};
    }),
    route("DELETE", "/__control/faults", () => {
      faults.clear();
      return {};
    }),
    route("POST", "/__control/vms/:id/state", ({ params: [id], body }) => {
      vms.setStateOverride(id!, parseBody(stateOverrideBodySchema, body).state);
      return {};
    }),
    route("GET", "/__control/calls", () => calls.all()),
    route("DELETE", "/__control/calls", () => {
      calls.clear();
      return {};
    }),
  ];
}
