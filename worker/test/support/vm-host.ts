import { controlClient, type FaultSpec } from "@cw/testing";
import { inject } from "vitest";

/** The local VM host started by the global setup: its control routes and, with the key, its API. */
const base = () => inject("vmHost").url;
const control = () => controlClient(base());

export const vmHost = {
  addFault: (fault: FaultSpec) => control().addFault(fault),
  clearFaults: () => control().clearFaults(),
  overrideState: (vmId: string, state: string | null) => control().setVmState(vmId, state),
  calls: () => control().calls(),
  clearCalls: () => control().clearCalls(),
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
  /** How many identities may log in to the VM (hold a permission on it), as Freestyle would say. */
  async identitiesOn(vmId: string) {
    const headers = { authorization: "Bearer test-key" };
    const all = (await (
      await fetch(`${base()}/identity/v1/identities?limit=100000`, { headers })
    ).json()) as {
      identities: { id: string }[];
    };
    let holding = 0;
    for (const { id } of all.identities) {
      const res = await fetch(`${base()}/identity/v1/identities/${id}/permissions/vm/${vmId}`, { headers });
      if (res.status === 200) holding++;
      await res.body?.cancel();
    }
    return holding;
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
