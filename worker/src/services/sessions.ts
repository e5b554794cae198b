import type { ClientType, Session } from "@cw/contracts";
import { limitReached, notFound } from "../domain/problems.ts";
import type { Caller, Deps } from "./deps.ts";
import { findWorkspace } from "./workspace-rows.ts";

/**
 * Session routes: the organization check happens here against Postgres; the sessions themselves
 * live in the workspace's presence object, which writes them through to Postgres.
 */
async function presenceOf(deps: Deps, caller: Caller, workspaceId: string) {
  const row = await findWorkspace(deps, caller.organizationId, workspaceId);
  if (!row) throw notFound("workspace");
  return deps.presence(workspaceId);
}

const sessionLimit = (max: number) =>
  limitReached(
    "MAX_SESSIONS_PER_WORKSPACE",
    max,
    `the workspace has ${max} live sessions, the most allowed (MAX_SESSIONS_PER_WORKSPACE=${max}); one must leave or expire first`,
    429,
  );

export async function joinSession(deps: Deps, caller: Caller, workspaceId: string, clientType: ClientType) {
  const joined = await (await presenceOf(deps, caller, workspaceId)).join(
    workspaceId,
    caller.userId,
    clientType,
    caller.tokenId,
  );
  if ("full" in joined) throw sessionLimit(joined.max);
  return joined;
}

export async function heartbeatSession(deps: Deps, caller: Caller, workspaceId: string, sessionId: string) {
  const ok = await (await presenceOf(deps, caller, workspaceId)).heartbeat(
    workspaceId,
    sessionId,
    caller.userId,
  );
  if (!ok) throw notFound("session");
}

export async function leaveSession(deps: Deps, caller: Caller, workspaceId: string, sessionId: string) {
  const ok = await (await presenceOf(deps, caller, workspaceId)).leave(
    workspaceId,
    sessionId,
    caller.userId,
    caller.tokenId,
  );
  if (!ok) throw notFound("session");
}

export async function listSessions(deps: Deps, caller: Caller, workspaceId: string): Promise<Session[]> {
  const sessions = await (await presenceOf(deps, caller, workspaceId)).sessions();
  return sessions.map((s) => ({
    id: s.id,
    userId: s.userId,
    clientType: s.clientType,
    connectedAt: new Date(s.connectedAt).toISOString(),
    lastHeartbeatAt: new Date(s.lastHeartbeatAt).toISOString(),
  }));
}

/** Forwards an authenticated WebSocket upgrade to the presence object; open socket = live session. */
export async function openPresenceSocket(
  deps: Deps,
  caller: Caller,
  workspaceId: string,
  clientType: ClientType,
  request: Request,
) {
  const stub = await presenceOf(deps, caller, workspaceId);
  const headers = new Headers({
    upgrade: "websocket",
    "x-workspace-id": workspaceId,
    "x-user-id": caller.userId,
    "x-client-type": clientType,
    // So the object can close the socket once this token is deleted or expires.
    "x-token-id": caller.tokenId,
  });
  const res = await stub.fetch(new Request(request.url, { headers }));
  if (res.status === 429) throw sessionLimit(deps.config.MAX_SESSIONS_PER_WORKSPACE);
  return res;
}
