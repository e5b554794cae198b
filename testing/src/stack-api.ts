/**
 * Calls a running stack's HTTP API with a bearer token, the way scripts do: JSON in, JSON out.
 * `call` gives the status and body; `strict` throws on anything but 2xx.
 */
export function stackApi(workerUrl: string, token: string) {
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${workerUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    // biome-ignore lint/suspicious/noExplicitAny: callers read whichever fields the route documents.
    return { status: res.status, body: (text ? JSON.parse(text) : null) as any };
  };
  const strict = async (method: string, path: string, body?: unknown) => {
    const res = await call(method, path, body);
    if (res.status >= 300)
      throw new Error(`${method} ${path} answered ${res.status}: ${JSON.stringify(res.body)}`);
    return res.body;
  };
  return { call, strict };
}
