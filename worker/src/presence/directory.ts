import type { WorkspacePresence } from "./workspace-presence.ts";

/** A workspace's presence object, typed through `Env` (its RPC methods are the class's). */
export type PresenceStub = DurableObjectStub<WorkspacePresence>;
export type PresenceDirectory = (workspaceId: string) => PresenceStub;

export function presenceDirectory(env: Env): PresenceDirectory {
  const ns = env.WORKSPACE_PRESENCE;
  return (workspaceId) => ns.get(ns.idFromName(workspaceId));
}
