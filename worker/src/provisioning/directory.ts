/** What the rest of the worker may ask of a workspace's provisioner object. */
export interface ProvisionerStub {
  start(workspaceId: string, repoUrl: string): Promise<void>;
}

export type ProvisionerDirectory = (workspaceId: string) => ProvisionerStub;

export function provisionerDirectory(env: Record<string, unknown>): ProvisionerDirectory {
  const ns = env.WORKSPACE_PROVISIONER as DurableObjectNamespace | undefined;
  return (workspaceId) => {
    if (!ns) throw new Error("WORKSPACE_PROVISIONER binding missing");
    return ns.get(ns.idFromName(workspaceId)) as unknown as ProvisionerStub;
  };
}
