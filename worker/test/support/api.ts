import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { createApiClient } from "@cw/contracts/client";
import worker from "../../src/index.ts";

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
  /** Set for a 101 answer when `raw` was asked for. */
  webSocket?: WebSocket | null;
}

/**
 * Calls the worker's real fetch handler inside workerd with this file's bindings. By default it
 * also waits for the request's deferred work (provisioning), as a later request would observe it.
 */
export function apiClient(bindings: Record<string, string>, token?: string) {
  return async function call<T = any>(
    method: string,
    path: string,
    body?: unknown,
    opts: {
      headers?: Record<string, string>;
      waitForBackground?: boolean;
      rawBody?: string;
      raw?: boolean;
    } = {},
  ): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...opts.headers };
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined || opts.rawBody !== undefined) headers["content-type"] = "application/json";
    const ctx = createExecutionContext();
    const res = await worker.fetch(
      new Request(`http://cw.test${path}`, {
        method,
        headers,
        body: opts.rawBody ?? (body === undefined ? undefined : JSON.stringify(body)),
      }),
      { ...env, ...bindings },
      ctx,
    );
    if (opts.raw && res.status === 101) {
      return { status: res.status, headers: res.headers, body: null as T, webSocket: res.webSocket };
    }
    const text = await res.text();
    const done = waitOnExecutionContext(ctx);
    if (opts.waitForBackground !== false) await done;
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
  };
}

/**
 * The contract's own client (`@cw/contracts/client`, what the desktop and `cw` use) over the
 * worker's real fetch handler in workerd, waiting for each request's deferred work like `apiClient`.
 */
export function contractClient(bindings: Record<string, string>, token: string) {
  return createApiClient({
    baseUrl: "http://cw.test",
    token,
    async fetch(input, init) {
      const ctx = createExecutionContext();
      const res = await worker.fetch(new Request(input, init), { ...env, ...bindings }, ctx);
      const body = res.status === 204 ? null : await res.text();
      await waitOnExecutionContext(ctx);
      return new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
    },
  });
}
