import type { ApiClient } from "@cw/contracts/client";
import type { ClientType } from "@cw/contracts/enums";
import WebSocket from "ws";
import { z } from "zod";

/**
 * Presence on a workspace held by an open WebSocket: while it is open the worker's auto-stop leaves
 * the workspace alone, and a crash or a lost network ends it at once — no heartbeats to miss. A
 * dropped socket is reopened with backoff until `leave()`.
 */
export interface PresenceSession {
  /** The current session's id; a reconnect starts a new one. */
  readonly sessionId: string;
  leave(): Promise<void>;
}

export interface PresenceDeps {
  api: Pick<ApiClient, "presenceUrl" | "headers">;
  /** Who is holding it: the tray app (`desktop`) or an SSH connection through `cw` (`cli`). */
  clientType: ClientType;
  /** Reported when the socket drops or a reconnect fails (it keeps trying until left). */
  onError?: (err: unknown) => void;
  retry?: { initialMs: number; maxMs: number };
}

/** Under the idle timeouts of proxies on the way; the worker answers without waking its object. */
const PING_EVERY_MS = 25_000;
const joinedSchema = z.object({ type: z.literal("joined"), sessionId: z.string() });

/** Opens one socket and resolves once the worker has said which session it is. */
function open(deps: PresenceDeps, workspaceId: string): Promise<{ socket: WebSocket; sessionId: string }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(deps.api.presenceUrl(workspaceId, deps.clientType), {
      headers: deps.api.headers(),
    });
    const fail = (err: Error) => {
      socket.removeAllListeners();
      socket.on("error", () => {});
      socket.terminate();
      reject(err);
    };
    socket.once("unexpected-response", (_req, res) =>
      fail(new Error(`presence refused: the API answered ${res.statusCode}`)),
    );
    socket.once("error", fail);
    socket.once("close", (code) => fail(new Error(`presence closed before joining (${code})`)));
    socket.once("message", (data) => {
      const joined = joinedSchema.safeParse(safeJson(String(data)));
      if (!joined.success) return fail(new Error("presence: unexpected first message"));
      socket.removeAllListeners();
      resolve({ socket, sessionId: joined.data.sessionId });
    });
  });
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

export async function joinPresence(deps: PresenceDeps, workspaceId: string): Promise<PresenceSession> {
  const retry = deps.retry ?? { initialMs: 1_000, maxMs: 30_000 };
  let current = await open(deps, workspaceId);
  let left = false;
  let delay = retry.initialMs;
  let reconnect: ReturnType<typeof setTimeout> | undefined;

  const ping = setInterval(
    () => current.socket.readyState === 1 && current.socket.send("ping"),
    PING_EVERY_MS,
  );
  ping.unref?.();

  const watch = () => {
    current.socket.on("error", () => {}); // 'close' follows and says what matters
    current.socket.once("close", (code) => {
      if (left) return;
      deps.onError?.(new Error(`presence socket closed (${code}); reconnecting`));
      schedule();
    });
  };
  const schedule = () => {
    reconnect = setTimeout(async () => {
      try {
        const next = await open(deps, workspaceId);
        if (left) return void next.socket.close(1000);
        current = next;
        delay = retry.initialMs;
        watch();
      } catch (err) {
        deps.onError?.(err);
        delay = Math.min(delay * 2, retry.maxMs);
        if (!left) schedule();
      }
    }, delay);
    reconnect.unref?.();
  };
  watch();

  return {
    get sessionId() {
      return current.sessionId;
    },
    async leave() {
      if (left) return;
      left = true;
      clearInterval(ping);
      clearTimeout(reconnect);
      const socket = current.socket;
      if (socket.readyState >= 2) return;
      await new Promise<void>((resolve) => {
        const done = setTimeout(() => {
          socket.terminate();
          resolve();
        }, 2_000);
        socket.once("close", () => {
          clearTimeout(done);
          resolve();
        });
        socket.close(1000, "left");
      });
    },
  };
}
