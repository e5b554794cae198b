import type { PresenceSession } from "../domain/presence.ts";

/** What the rest of the worker may ask of a workspace's presence object. */
export interface PresenceStub {
  join(
    workspaceId: string,
    userId: string,
    clientType: "desktop" | "web",
  ): Promise<{ sessionId: string; heartbeatSeconds: number }>;
  heartbeat(workspaceId: string, sessionId: string, userId: string): Promise<boolean>;
  leave(workspaceId: string, sessionId: string, userId: string): Promise<boolean>;
  sessions(): Promise<PresenceSession[]>;
  liveCount(): Promise<number>;
  fetch(request: Request): Promise<Response>;
}

export type PresenceDirectory = (workspaceId: string) => PresenceStub;

export function presenceDirectory(env: Record<string, unknown>): PresenceDirectory {
  const ns = env.WORKSPACE_PRESENCE as DurableObjectNamespace | undefined;
  return (workspaceId) => {
    if (!ns) throw new Error("WORKSPACE_PRESENCE binding missing");
    return ns.get(ns.idFromName(workspaceId)) as unknown as PresenceStub;
  };
}
