import { timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { CallLog } from "./control-routes.ts";
import { ApiError, errorBody } from "./errors.ts";
import type { FaultInjector } from "./faults.ts";
import { listen } from "./listen.ts";
import { matchRoute, type Route } from "./router.ts";

export interface HttpServerOptions {
  host: string;
  port: number;
  /** The only bearer accepted. */
  apiKey: string;
  api: Route[];
  /** Present only when control routes are enabled. */
  control?: { routes: Route[]; faults: FaultInjector; calls: CallLog };
  log: (line: string) => void;
}

export interface RunningHttpServer {
  url: string;
  close(): Promise<void>;
}

const CONTROL_PREFIX = "/__control/";

/** Far above any body the provider sends (a create with a few repositories is under 1 KiB). */
export const MAX_BODY_BYTES = 1024 * 1024;

const tooLarge = () => new ApiError(413, "PAYLOAD_TOO_LARGE", `request body exceeds ${MAX_BODY_BYTES} bytes`);

/** Reads at most MAX_BODY_BYTES: a declared length over it is refused before reading anything. */
async function readJson(req: IncomingMessage): Promise<unknown> {
  if (Number(req.headers["content-length"] ?? 0) > MAX_BODY_BYTES) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw tooLarge();
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString("utf8").trim();
  if (text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError(400, "BAD_REQUEST", "request body is not valid JSON");
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body ?? {});
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

function checkAuth(req: IncomingMessage, apiKey: string): void {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? "");
  if (!m) throw new ApiError(401, "UNAUTHORIZED", "missing Authorization: Bearer header");
  const given = Buffer.from(m[1]!);
  const expected = Buffer.from(apiKey);
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    throw new ApiError(401, "UNAUTHORIZED", "invalid API key");
}

async function dispatch(routes: readonly Route[], method: string, url: URL, body: unknown): Promise<unknown> {
  const match = matchRoute(routes, method, url.pathname);
  if (!match) throw new ApiError(404, "NOT_FOUND", `no route for ${method} ${url.pathname}`);
  return match.route.handle({ params: match.params, body, query: url.searchParams });
}

export async function startHttpServer(opts: HttpServerOptions): Promise<RunningHttpServer> {
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const method = (req.method ?? "GET").toUpperCase();
    const url = new URL(req.url ?? "/", "http://vm-host.invalid");
    const at = new Date().toISOString();
    const isControl = url.pathname.startsWith(CONTROL_PREFIX);
    let status = 200;
    let body: unknown;
    let result: unknown;
    try {
      if (isControl) {
        if (!opts.control) throw new ApiError(404, "NOT_FOUND", "control routes are disabled");
        body = await readJson(req);
        result = await dispatch(opts.control.routes, method, url, body);
      } else {
        // Before the body: an unauthenticated caller must not make us read (or hold) anything.
        checkAuth(req, opts.apiKey);
        body = await readJson(req);
        // Faults simulate Freestyle itself misbehaving: a slow request is still carried out once
        // its delay is over, even if the caller gave up waiting (a create past its deadline
        // still makes its VM, as Freestyle's would).
        const injected = await opts.control?.faults.apply(method, url.pathname);
        if (injected) throw injected;
        result = await dispatch(opts.api, method, url, body);
      }
    } catch (e) {
      if (e instanceof ApiError) {
        status = e.status;
        result = errorBody(e.code, e.message);
      } else {
        status = 500;
        result = errorBody("INTERNAL_ERROR", e instanceof Error ? e.message : String(e));
        opts.log(`http ${method} ${url.pathname} failed: ${e instanceof Error ? (e.stack ?? e.message) : e}`);
      }
    }
    if (!isControl)
      opts.control?.calls.record({
        method,
        path: url.pathname,
        status,
        at,
        finishedAt: new Date().toISOString(),
        body,
      });
    // A body we refused to read is not drained for keep-alive: the connection ends with the answer.
    if (!req.complete) res.setHeader("connection", "close");
    if (!res.destroyed) send(res, status, result);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e) => {
      opts.log(`http handler crashed: ${e}`);
      if (!res.headersSent) send(res, 500, errorBody("INTERNAL_ERROR", String(e)));
    });
  });
  const port = await listen(server, opts.port, opts.host);
  const hostForUrl = opts.host.includes(":") ? `[${opts.host}]` : opts.host;
  return {
    url: `http://${hostForUrl}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
