import { createServer, type Socket } from "node:net";

export interface SilentServer {
  /** `http://127.0.0.1:<port>`: a git remote (or any URL) there connects and then hears nothing. */
  url: string;
  close(): Promise<void>;
}

/**
 * A TCP server on loopback that accepts every connection and never answers: what a git remote
 * that hangs looks like to the client (a tenant can point its VM's remote at one). Its clients
 * wait until they give up or are killed.
 */
export async function startSilentServer(): Promise<SilentServer> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => {});
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
