/**
 * A client for the tests' webhook receiver (`webhook-receiver.ts`, started in Node): where each
 * named endpoint receives, how it answers, and what it received. Plain `fetch`, so worker tests
 * use it from inside workerd.
 */

/** One request a named endpoint of the receiver got, as it arrived. */
export interface ReceivedRequest {
  /** `webhook-id`, `webhook-timestamp`, `webhook-signature`, `content-type`, `user-agent`. */
  headers: Record<string, string>;
  body: string;
  /** `Date.now()` in the receiver when the body was complete. */
  receivedAt: number;
}

/**
 * How a named endpoint answers: `failFirst` requests with `failStatus` (default 500), then
 * `status` (default 204); with `hang`, it answers nothing until released.
 */
export interface ReceiverBehavior {
  status?: number;
  failFirst?: number;
  failStatus?: number;
  hang?: boolean;
}

export interface ReceivedView {
  requests: ReceivedRequest[];
  /** Requests held open by `hang`, not answered yet. */
  hanging: number;
}

export function webhookReceiverClient(baseUrl: string) {
  const call = async (method: string, path: string, body?: unknown): Promise<unknown> => {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`webhook receiver ${method} ${path} → ${res.status} ${text}`);
    return text ? JSON.parse(text) : null;
  };
  const name = (n: string) => encodeURIComponent(n);
  return {
    /** The URL a webhook endpoint named `n` is created with. */
    urlOf: (n: string) => `${baseUrl}/hooks/${name(n)}`,
    behave: (n: string, behavior: ReceiverBehavior) => call("POST", `/__behavior/${name(n)}`, behavior),
    /** Answers the requests `n` holds open (200) and stops hanging. */
    release: (n: string) => call("POST", `/__release/${name(n)}`),
    received: async (n: string) => (await call("GET", `/__received/${name(n)}`)) as ReceivedView,
  };
}
