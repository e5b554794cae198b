import type { ApiClient } from "./api-client.ts";

/**
 * A presence session on a workspace over the HTTP sessions contract: join, heartbeat every
 * `heartbeatSeconds`, leave. While one is held the worker's auto-stop leaves the workspace alone.
 */
export interface PresenceSession {
  readonly sessionId: string;
  leave(): Promise<void>;
}

export interface PresenceDeps {
  api: Pick<ApiClient, "joinSession" | "heartbeat" | "leaveSession">;
  /** Reported when a heartbeat fails (the session keeps trying until left). */
  onError?: (err: unknown) => void;
}

export async function joinPresence(deps: PresenceDeps, workspaceId: string): Promise<PresenceSession> {
  const joined = await deps.api.joinSession(workspaceId);
  let left = false;
  // Beat a little more often than asked, so one slow request never lets the session lapse.
  const everyMs = Math.max(1_000, joined.heartbeatSeconds * 1000 * 0.8);
  const timer = setInterval(() => {
    deps.api.heartbeat(workspaceId, joined.sessionId).catch((err) => {
      if (!left) deps.onError?.(err);
    });
  }, everyMs);
  timer.unref?.();
  return {
    sessionId: joined.sessionId,
    async leave() {
      if (left) return;
      left = true;
      clearInterval(timer);
      await deps.api.leaveSession(workspaceId, joined.sessionId);
    },
  };
}
