import { inject } from "vitest";

/** The local VM host's test-only control routes (fault injection, state overrides, call log). */
const base = () => inject("vmHost").url;

async function control(method: string, path: string, body?: unknown) {
  const res = await fetch(`${base()}/__control${path}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`control ${method} ${path}: ${res.status} ${await res.text()}`);
  const text = await res.text();
  return text ? JSON.parse(text) : null;
}

export interface Fault {
  method?: string;
  path: string;
  status?: number;
  code?: string;
  message?: string;
  delayMs?: number;
  times?: number;
}

export const vmHost = {
  addFault: (fault: Fault) => control("POST", "/faults", fault),
  clearFaults: () => control("DELETE", "/faults"),
  overrideState: (vmId: string, state: string | null) => control("POST", `/vms/${vmId}/state`, { state }),
  calls: (): Promise<{ method: string; path: string; status: number; at: string }[]> =>
    control("GET", "/calls"),
  clearCalls: () => control("DELETE", "/calls"),
  /** The VM as the host reports it through the real API. */
  async vm(vmId: string) {
    const res = await fetch(`${base()}/v1/vms/${vmId}`, { headers: { authorization: "Bearer test-key" } });
    return { status: res.status, body: (await res.json()) as { state?: string; code?: string } };
  },
  /** A VM made directly at the host, as if created outside this control plane. */
  async createVm(branch: string): Promise<string> {
    const res = await fetch(`${base()}/v1/vms`, {
      method: "POST",
      headers: { authorization: "Bearer test-key", "content-type": "application/json" },
      body: JSON.stringify({
        git: { repos: [{ repo: inject("gitRepo").cloneUrl, path: "/workspace", rev: branch }] },
        workdir: "/workspace",
      }),
    });
    if (!res.ok) throw new Error(`create VM: ${res.status} ${await res.text()}`);
    return ((await res.json()) as { id: string }).id;
  },
  async deleteVm(vmId: string) {
    await fetch(`${base()}/v1/vms/${vmId}`, {
      method: "DELETE",
      headers: { authorization: "Bearer test-key" },
    });
  },
  async exec(vmId: string, command: string) {
    const res = await fetch(`${base()}/v1/vms/${vmId}/exec-await`, {
      method: "POST",
      headers: { authorization: "Bearer test-key", "content-type": "application/json" },
      body: JSON.stringify({ command, terminal: null, timeoutMs: 10_000 }),
    });
    return (await res.json()) as { stdout: string; stderr: string; statusCode: number };
  },
};
