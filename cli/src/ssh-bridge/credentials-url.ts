import { BridgeError } from "./bridge-error.ts";
import { GatewayCredentials, Problem } from "./credentials.ts";

function unreachable(url: string, e: unknown): BridgeError {
  // fetch says only "fetch failed"; the reason (ECONNREFUSED, ENOTFOUND, …) is its cause.
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  const why = cause?.code ?? cause?.message ?? (e as Error).message;
  return new BridgeError(`cannot reach ${new URL(url).origin} for SSH credentials: ${why}`);
}

/**
 * Gets gateway credentials by POSTing to a URL that answers like `POST /v1/workspaces/{id}/ssh`
 * (a bearer token when given). Anything else it answers becomes a one-line BridgeError.
 */
export async function fetchCredentials(url: string, token?: string): Promise<GatewayCredentials> {
  let res: Response;
  try {
    res = await fetch(url, { method: "POST", headers: token ? { authorization: `Bearer ${token}` } : {} });
  } catch (e) {
    throw unreachable(url, e);
  }
  const body: unknown = await res.json().catch(() => null);
  if (!res.ok) {
    const problem = Problem.safeParse(body);
    const why = problem.success ? (problem.data.detail ?? problem.data.title) : undefined;
    throw new BridgeError(`SSH credentials refused (${res.status})${why ? `: ${why}` : ""}`);
  }
  const creds = GatewayCredentials.safeParse(body);
  if (!creds.success) throw new BridgeError(`SSH credentials from ${new URL(url).origin} are malformed`);
  return creds.data;
}
