import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import worker from "../../src/index.ts";

/**
 * The real, unmodified `@electric-sql/client`, for conformance tests of `GET /v1/shape` and the
 * workerd half of the sync-fanout bench.
 */
export {
  ELECTRIC_PROTOCOL_QUERY_PARAMS,
  FetchError,
  isChangeMessage,
  isControlMessage,
  type Message,
  type Row,
  Shape,
  ShapeStream,
} from "@electric-sql/client";

export const SHAPE_URL = "http://cw.test/v1/shape";

/**
 * A `fetch` for ShapeStream that calls the worker's real fetch handler inside workerd with this
 * file's bindings and the token, and records every URL requested (to assert on the protocol).
 */
export function workerFetch(bindings: Record<string, string>, token: string) {
  const urls: URL[] = [];
  const fetchClient = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    request.headers.set("authorization", `Bearer ${token}`);
    urls.push(new URL(request.url));
    const ctx = createExecutionContext();
    const res = await worker.fetch(request, { ...env, ...bindings }, ctx);
    await waitOnExecutionContext(ctx);
    return res;
  };
  return { fetchClient: fetchClient as typeof fetch, urls };
}
