import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { ReceivedRequest, ReceiverBehavior } from "./webhook-receiver-control.ts";

export type { ReceivedRequest, ReceiverBehavior };

/**
 * A real HTTP receiver for webhook deliveries: `POST /hooks/<name>` records each request (its
 * Standard Webhooks headers and exact body) and answers as that name is told to (`ReceiverBehavior`:
 * fail the first N, answer a status, or hang until released). Control routes for tests inside
 * workerd: `POST /__behavior/<name>`, `POST /__release/<name>`, `GET /__received/<name>` (see
 * `webhookReceiverClient`); Node callers (the bench) use the returned object, and `onRequest` to
 * learn of each request the moment it is complete.
 */
export async function startWebhookReceiver() {
  const received = new Map<string, ReceivedRequest[]>();
  const behaviors = new Map<string, ReceiverBehavior>();
  const hung = new Map<string, ServerResponse[]>();
  const listeners = new Set<(name: string, request: ReceivedRequest) => void>();

  const json = (res: ServerResponse, status: number, body: unknown) =>
    res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));

  function release(name: string) {
    behaviors.set(name, { ...behaviors.get(name), hang: false });
    for (const res of hung.get(name) ?? []) res.writeHead(200).end();
    hung.delete(name);
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const [, kind, raw] = /^\/(hooks|__behavior|__release|__received)\/([^/?]+)$/.exec(req.url ?? "") ?? [];
      const name = raw === undefined ? "" : decodeURIComponent(raw);
      if (!kind || !name) return json(res, 404, { error: "no such route" });
      if (kind === "__behavior" && req.method === "POST") {
        behaviors.set(name, JSON.parse(body || "{}") as ReceiverBehavior);
        return json(res, 200, {});
      }
      if (kind === "__release" && req.method === "POST") {
        release(name);
        return json(res, 200, {});
      }
      if (kind === "__received" && req.method === "GET")
        return json(res, 200, { requests: received.get(name) ?? [], hanging: hung.get(name)?.length ?? 0 });
      if (kind !== "hooks" || req.method !== "POST") return json(res, 405, { error: "POST only" });

      const headers = Object.fromEntries(
        ["webhook-id", "webhook-timestamp", "webhook-signature", "content-type", "user-agent"].flatMap((h) =>
          typeof req.headers[h] === "string" ? [[h, req.headers[h] as string]] : [],
        ),
      );
      const request: ReceivedRequest = { headers, body, receivedAt: Date.now() };
      const seen = received.get(name) ?? [];
      seen.push(request);
      received.set(name, seen);
      for (const listener of listeners) listener(name, request);
      const behavior = behaviors.get(name) ?? {};
      if (behavior.hang) {
        hung.set(name, [...(hung.get(name) ?? []), res]);
        return;
      }
      const failing = seen.length <= (behavior.failFirst ?? 0);
      res.writeHead(failing ? (behavior.failStatus ?? 500) : (behavior.status ?? 204)).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    urlOf: (name: string) => `${url}/hooks/${encodeURIComponent(name)}`,
    received: (name: string) => received.get(name) ?? [],
    behave: (name: string, behavior: ReceiverBehavior) => behaviors.set(name, behavior),
    release,
    /** Calls `listener` with each request as soon as it is complete; returns the unsubscribe. */
    onRequest(listener: (name: string, request: ReceivedRequest) => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type WebhookReceiver = Awaited<ReturnType<typeof startWebhookReceiver>>;
