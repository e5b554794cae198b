import { createServer, type Server } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { connect } from "node:net";
import type { WebSocketServer as WebSocketServerType } from "ws";

// Loaded through require so bundlers that prefer the "browser" export condition (vitest's
// workers project) still get the Node implementation.
const { WebSocketServer } = createRequire(import.meta.url)("ws") as {
  WebSocketServer: typeof WebSocketServerType;
};

export interface WsProxy {
  /** host:port, the value for DATABASE_WS_PROXY. */
  address: string;
  close(): Promise<void>;
}

/**
 * The WebSocket→TCP bridge the Neon driver needs to reach a Postgres that only speaks TCP.
 * Only loopback targets are allowed: this is a development and test tool, not an open relay.
 */
export async function startWsProxy(port = 0, host = "127.0.0.1"): Promise<WsProxy> {
  const server: Server = createServer((_req, res) => res.writeHead(426).end("WebSocket only\n"));
  const wss = new WebSocketServer({ server });
  wss.on("connection", (ws, req) => {
    const target = new URL(req.url ?? "/", "http://proxy").searchParams.get("address") ?? "";
    const match = /^(127\.0\.0\.1|localhost|\[::1\]):(\d+)$/.exec(target);
    if (!match) {
      ws.close(1008, "address must be a loopback host:port");
      return;
    }
    const socket = connect(Number(match[2]), match[1] === "[::1]" ? "::1" : match[1]);
    const pending: Buffer[] = [];
    socket.on("connect", () => {
      for (const chunk of pending) socket.write(chunk);
      pending.length = 0;
    });
    ws.on("message", (data: Buffer) => (socket.connecting ? pending.push(data) : socket.write(data)));
    socket.on("data", (chunk) => ws.send(chunk));
    socket.on("close", () => ws.close());
    socket.on("error", () => ws.close());
    ws.on("close", () => socket.destroy());
    ws.on("error", () => socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  const { port: bound } = server.address() as AddressInfo;
  return {
    address: `${host}:${bound}`,
    close: () =>
      new Promise((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close();
        server.close(() => resolve());
      }),
  };
}
