import type { WorkspaceProvisioner } from "./workspace-provisioner.ts";

/** A workspace's provisioner object, typed through `Env` (its RPC methods are the class's). */
export type ProvisionerStub = DurableObjectStub<WorkspaceProvisioner>;
export type ProvisionerDirectory = (workspaceId: string) => ProvisionerStub;

export function provisionerDirectory(env: Env): ProvisionerDirectory {
  const ns = env.WORKSPACE_PROVISIONER;
  return (workspaceId) => ns.get(ns.idFromName(workspaceId));
}
