import { DurableObject } from "cloudflare:workers";
import type { ClientType } from "@cw/contracts";
import { parseConfig } from "../config.ts";
import { systemActor, userActor } from "../domain/events.ts";
import {
  activeUntilHoldsEnded,
  clientTypeOf,
  type Ending,
  expiredHolds,
  expiredSessions,
  FLUSH_DELAY_MS,
  nextAlarmAt,
  outlived,
  type PresenceHold,
  type PresenceSession,
  SOCKET_AUDIT_MS,
} from "../domain/presence.ts";
import { logError } from "../safe-log.ts";
import { HoldTable } from "./hold-table.ts";
import { SerialRuns } from "./serial-runs.ts";
import { SessionTable } from "./session-table.ts";
import { auditSockets } from "./socket-audit.ts";
import { writeThrough } from "./write-through.ts";

const RETRY_FLUSH_MS = 5_000;

interface SocketAttachment {
  sessionId: string;
  /** The API token the socket was opened with (absent on sockets opened before it was recorded). */
  tokenId?: string | null;
}

/** Close codes a client can tell apart (4000–4999 are the application's). */
export const SOCKET_CLOSE = {
  lifetime: { code: 4000, reason: "socket lifetime reached; reconnect" },
  token: { code: 4001, reason: "API token deleted or expired" },
  workspace: { code: 4004, reason: "workspace deleted" },
} as const;

export type JoinOutcome = { sessionId: string; heartbeatSeconds: number } | { full: true; max: number };
export type HoldOutcome = { hold: PresenceHold } | { full: true; max: number };

/** A user acting through the API: named as the actor of what they start or end. */
export interface Doer {
  userId: string;
  tokenId: string | null;
}

export interface NewHold extends Doer {
  reason: string;
  until: number;
}

/** What auto-stop trusts: the live sessions and holds. */
export interface LiveActivity {
  sessions: PresenceSession[];
  holds: PresenceHold[];
}

/** Ended by the object itself: an expiry, a closed socket. */
const byPresence = (at: number): Ending => ({ at, by: systemActor("presence") });

/**
 * One per workspace (named by its id): the authority on who is connected and which holds keep it
 * running. Sessions and holds live in the object's SQLite storage; decisions come from
 * domain/presence.ts; Postgres is a write-through mirror for everyone else (API lists, the
 * synced row and `activity`, the scheduler's pre-filter, the event log).
 */
export class WorkspacePresence extends DurableObject<Env> {
  private readonly table: SessionTable;
  private readonly holdTable: HoldTable;
  private readonly writes = new SerialRuns(() => this.writeOnce());
  private readonly heartbeatSeconds: number;
  private readonly maxSessions: number;
  private readonly maxHolds: number;
  private readonly maxSocketSeconds: number;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.table = new SessionTable(ctx.storage.sql);
    this.holdTable = new HoldTable(ctx.storage.sql);
    const config = parseConfig(env);
    this.heartbeatSeconds = config.PRESENCE_HEARTBEAT_SECONDS;
    this.maxSessions = config.MAX_SESSIONS_PER_WORKSPACE;
    this.maxHolds = config.MAX_HOLDS_PER_WORKSPACE;
    this.maxSocketSeconds = config.PRESENCE_SOCKET_MAX_SECONDS;
    // Clients ping to keep proxies from closing an idle socket; answered without waking the object.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair("ping", "pong"));
  }

  async join(
    workspaceId: string,
    userId: string,
    clientType: ClientType,
    tokenId: string | null = null,
  ): Promise<JoinOutcome> {
    if (await this.isFull()) return { full: true, max: this.maxSessions };
    const session = this.newSession({ userId, tokenId }, clientType, false);
    this.table.put(session);
    await this.flushNow(workspaceId);
    return { sessionId: session.id, heartbeatSeconds: this.heartbeatSeconds };
  }

  async heartbeat(workspaceId: string, sessionId: string, userId: string): Promise<boolean> {
    const now = Date.now();
    if (!this.table.heartbeat(sessionId, userId, now)) return false;
    this.remember(workspaceId, now);
    // Heartbeats reach Postgres in batches; the alarm flushes them. With a flush already pending,
    // the alarm is already set no later than it, which is all a heartbeat needs.
    if (this.table.getMeta("flushDueAt") !== null) return true;
    this.table.setMeta("flushDueAt", String(now + FLUSH_DELAY_MS));
    await this.scheduleAlarm();
    return true;
  }

  async leave(
    workspaceId: string,
    sessionId: string,
    userId: string,
    tokenId: string | null = null,
  ): Promise<boolean> {
    const session = this.table.get(sessionId);
    if (!session || session.userId !== userId) return false;
    this.table.end([sessionId], { at: Date.now(), by: userActor({ userId, tokenId }) });
    await this.flushNow(workspaceId);
    return true;
  }

  /** Places a hold unless the workspace already has its most live holds (ended ones expired first). */
  async createHold(workspaceId: string, hold: NewHold): Promise<HoldOutcome> {
    await this.expireOverdue();
    if (this.holdTable.all().length >= this.maxHolds) return { full: true, max: this.maxHolds };
    const placed: PresenceHold = {
      id: crypto.randomUUID(),
      userId: hold.userId,
      tokenId: hold.tokenId,
      reason: hold.reason,
      until: hold.until,
      createdAt: Date.now(),
    };
    this.holdTable.put(placed);
    await this.flushNow(workspaceId);
    return { hold: placed };
  }

  /** Live holds, after expiring those whose time is up. */
  async holds(): Promise<PresenceHold[]> {
    await this.expireOverdue();
    return this.holdTable.all();
  }

  /** Releases a live hold (any member of the organization may: the route has checked that). */
  async releaseHold(workspaceId: string, holdId: string, by: Doer): Promise<boolean> {
    await this.expireOverdue();
    if (this.holdTable.end([holdId], { at: Date.now(), by: userActor(by) }) === 0) return false;
    await this.flushNow(workspaceId);
    return true;
  }

  /** Live sessions and holds after expiring the overdue ones: what auto-stop trusts. */
  async activity(): Promise<LiveActivity> {
    await this.expireOverdue();
    return { sessions: this.table.all(), holds: this.holdTable.all() };
  }

  /** Live sessions after expiring the overdue ones. */
  async sessions(): Promise<PresenceSession[]> {
    await this.expireOverdue();
    return this.table.all();
  }

  async liveCount(): Promise<number> {
    return (await this.sessions()).length;
  }

  /** WebSocket presence: the worker route authenticates, then forwards the upgrade here. */
  override async fetch(request: Request): Promise<Response> {
    const workspaceId = request.headers.get("x-workspace-id");
    const userId = request.headers.get("x-user-id");
    const clientType = clientTypeOf(request.headers.get("x-client-type"));
    if (request.headers.get("upgrade") !== "websocket" || !workspaceId || !userId) {
      return new Response("expected a websocket upgrade", { status: 426 });
    }
    if (await this.isFull()) return new Response("too many live sessions", { status: 429 });
    const pair = new WebSocketPair();
    const tokenId = request.headers.get("x-token-id");
    const session = this.newSession({ userId, tokenId }, clientType, true);
    this.table.put(session);
    this.ctx.acceptWebSocket(pair[1], [session.id]);
    pair[1].serializeAttachment({ sessionId: session.id, tokenId } satisfies SocketAttachment);
    if (this.table.getMeta("auditDueAt") === null)
      this.table.setMeta("auditDueAt", String(Date.now() + SOCKET_AUDIT_MS));
    await this.flushNow(workspaceId);
    pair[1].send(JSON.stringify({ type: "joined", sessionId: session.id }));
    return new Response(null, { status: 101, webSocket: pair[0] });
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer) {
    if (message === "ping") ws.send("pong");
  }

  override async webSocketClose(ws: WebSocket) {
    await this.dropSocket(ws);
  }

  override async webSocketError(ws: WebSocket) {
    await this.dropSocket(ws);
  }

  /** The workspace is gone: every socket closes, every session and hold ends, now (nothing to record). */
  async closeAll(): Promise<void> {
    for (const ws of this.ctx.getWebSockets()) this.closeSocket(ws, SOCKET_CLOSE.workspace);
    this.table.clear();
    this.holdTable.clear();
    this.table.setMeta("auditDueAt", null);
    this.table.setMeta("flushDueAt", null);
    await this.scheduleAlarm();
  }

  override async alarm() {
    this.table.setMeta("flushDueAt", null);
    await this.auditSocketsIfDue();
    const expired = await this.expireOverdue();
    const workspaceId = this.table.getMeta("workspaceId");
    if (!expired && workspaceId) await this.flushNow(workspaceId, false);
    else await this.scheduleAlarm();
  }

  /** Whether the workspace already has its most live sessions (overdue ones expired first). */
  private async isFull(): Promise<boolean> {
    await this.expireOverdue();
    return this.table.all().length >= this.maxSessions;
  }

  private closeSocket(ws: WebSocket, why: { code: number; reason: string }) {
    const attachment = ws.deserializeAttachment() as SocketAttachment | null;
    if (attachment) this.table.end([attachment.sessionId], byPresence(Date.now()));
    try {
      ws.close(why.code, why.reason);
    } catch {
      // already closing
    }
  }

  /**
   * Closes the sockets whose reason to exist is gone — the workspace deleted, the token they were
   * opened with deleted or expired — or that lived their maximum life; then looks again in
   * SOCKET_AUDIT_MS while any stays open. If Postgres cannot be asked, nothing is closed and the
   * audit is tried again at the next interval.
   */
  private async auditSocketsIfDue() {
    const due = this.table.getMeta("auditDueAt");
    const now = Date.now();
    if (due === null || Number(due) > now) return;
    const open = this.ctx
      .getWebSockets()
      .filter((ws) => ws.readyState === WebSocket.OPEN)
      .map((ws) => ({ ws, attachment: ws.deserializeAttachment() as SocketAttachment | null }));
    const workspaceId = this.table.getMeta("workspaceId");
    if (open.length === 0 || !workspaceId) {
      this.table.setMeta("auditDueAt", null);
      return;
    }
    this.table.setMeta("auditDueAt", String(now + SOCKET_AUDIT_MS));
    let verdict: Awaited<ReturnType<typeof auditSockets>>;
    try {
      const tokenIds = [...new Set(open.flatMap(({ attachment }) => attachment?.tokenId ?? []))];
      verdict = await auditSockets(this.env, workspaceId, tokenIds, new Date(now));
    } catch (err) {
      logError("presence socket audit failed; will retry:", err);
      return;
    }
    const sessions = new Map(this.table.all().map((s) => [s.id, s]));
    let closed = 0;
    for (const { ws, attachment } of open) {
      const session = attachment ? sessions.get(attachment.sessionId) : undefined;
      const why = !verdict.workspaceExists
        ? SOCKET_CLOSE.workspace
        : attachment?.tokenId && !verdict.liveTokenIds.has(attachment.tokenId)
          ? SOCKET_CLOSE.token
          : session && outlived(session, now, this.maxSocketSeconds)
            ? SOCKET_CLOSE.lifetime
            : null;
      if (!why) continue;
      this.closeSocket(ws, why);
      closed++;
    }
    if (closed === open.length) this.table.setMeta("auditDueAt", null);
    if (closed > 0 && verdict.workspaceExists) await this.flushNow(workspaceId, false);
  }

  private newSession(who: Doer, clientType: ClientType, viaSocket: boolean): PresenceSession {
    const now = Date.now();
    return {
      id: crypto.randomUUID(),
      userId: who.userId,
      tokenId: who.tokenId,
      clientType,
      connectedAt: now,
      lastHeartbeatAt: now,
      viaSocket,
    };
  }

  private remember(workspaceId: string, activeAt: number) {
    this.table.setMeta("workspaceId", workspaceId);
    this.table.setMeta("lastActiveAt", String(activeAt));
  }

  private async dropSocket(ws: WebSocket) {
    const attachment = ws.deserializeAttachment() as SocketAttachment | null;
    if (!attachment) return;
    if (this.table.end([attachment.sessionId], byPresence(Date.now())) === 0) return;
    const workspaceId = this.table.getMeta("workspaceId");
    if (workspaceId) await this.flushNow(workspaceId);
  }

  /**
   * Ends sessions whose heartbeats stopped, socket sessions whose socket is no longer open (a
   * close the object never heard of) and holds whose time is up — a hold's end is the workspace's
   * last activity; flushes if any ended. Returns whether any did.
   */
  private async expireOverdue(): Promise<boolean> {
    const now = Date.now();
    const sessions = this.table.all();
    const open = new Set(this.ctx.getWebSockets().flatMap((ws) => this.ctx.getTags(ws)));
    const goneSessions = [
      ...expiredSessions(sessions, now, this.heartbeatSeconds),
      ...sessions.filter((s) => s.viaSocket && !open.has(s.id)),
    ];
    const goneHolds = expiredHolds(this.holdTable.all(), now);
    if (goneSessions.length === 0 && goneHolds.length === 0) return false;
    const ending = byPresence(now);
    this.table.end(
      goneSessions.map((s) => s.id),
      ending,
    );
    this.holdTable.end(
      goneHolds.map((h) => h.id),
      ending,
    );
    if (goneHolds.length > 0) {
      const last = Number(this.table.getMeta("lastActiveAt") ?? 0);
      const ended = goneHolds.map((h) => ({ ...h, ended: ending }));
      this.table.setMeta("lastActiveAt", String(activeUntilHoldsEnded(last, ended)));
    }
    const workspaceId = this.table.getMeta("workspaceId");
    if (workspaceId) await this.flushNow(workspaceId, false);
    return true;
  }

  /**
   * Writes the current presence to Postgres now (after any write under way: see SerialRuns); on
   * failure, retries from the alarm. `touch`: this call is itself activity.
   */
  private async flushNow(workspaceId: string, touch = true) {
    if (touch) this.remember(workspaceId, Date.now());
    else this.table.setMeta("workspaceId", workspaceId);
    await this.writes.run();
  }

  /**
   * One write-through of the state as it is now. Ended sessions and holds are forgotten once
   * Postgres has recorded them (or the workspace is gone); until then they stay, so a retried
   * write still names who ended them.
   */
  private async writeOnce() {
    const workspaceId = this.table.getMeta("workspaceId");
    if (!workspaceId) return;
    const now = Date.now();
    this.table.setMeta("flushDueAt", null);
    const endedSessions = this.table.ended();
    const endedHolds = this.holdTable.ended();
    try {
      await writeThrough(this.env, workspaceId, {
        sessions: this.table.all(),
        holds: this.holdTable.all(),
        endedSessions,
        endedHolds,
        lastActiveAt: Number(this.table.getMeta("lastActiveAt") ?? now),
      });
      this.table.forgetEnded(endedSessions.map((s) => s.id));
      this.holdTable.forgetEnded(endedHolds.map((h) => h.id));
    } catch (err) {
      logError("presence write-through failed; will retry:", err);
      this.table.setMeta("flushDueAt", String(now + RETRY_FLUSH_MS));
    }
    await this.scheduleAlarm();
  }

  /** The single alarm: the earliest session expiry, hold end, pending flush or socket audit. */
  private async scheduleAlarm() {
    const flushDue = this.table.getMeta("flushDueAt");
    const auditDue = this.table.getMeta("auditDueAt");
    const at = nextAlarmAt(
      {
        sessions: this.table.all(),
        holds: this.holdTable.all(),
        flushDueAt: flushDue === null ? null : Number(flushDue),
        auditDueAt: auditDue === null ? null : Number(auditDue),
      },
      this.heartbeatSeconds,
    );
    if (at === null) await this.ctx.storage.deleteAlarm();
    else await this.ctx.storage.setAlarm(at);
  }
}
