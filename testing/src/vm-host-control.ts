import type { FaultSpec } from "@cw/local/vm-host/faults";

export type { FaultSpec };

/**
 * A client for the local VM host's test-only `/__control` routes (fault injection, state
 * overrides, the call log). Plain `fetch`, so worker tests use it from inside workerd too.
 */

export interface CallRecordView {
  method: string;
  path: string;
  status: number;
  /** When the request arrived, and when its answer was ready (ISO). */
  at: string;
  finishedAt: string;
  body: unknown;
}

export function controlClient(baseUrl: string) {
  const call = async (method: string, path: string, body?: unknown): Promise<unknown> => {
    const res = await fetch(`${baseUrl}/__control${path}`, {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`control ${method} ${path} → ${res.status} ${text}`);
    return text ? JSON.parse(text) : null;
  };
  return {
    addFault: (spec: FaultSpec) => call("POST", "/faults", spec),
    clearFaults: () => call("DELETE", "/faults"),
    setVmState: (vmId: string, state: string | null) => call("POST", `/vms/${vmId}/state`, { state }),
    calls: async () => (await call("GET", "/calls")) as CallRecordView[],
    clearCalls: () => call("DELETE", "/calls"),
  };
}
