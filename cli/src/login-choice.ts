import { apiUrlProblem } from "@cw/client-node/api-url";

/** An API URL (no trailing slash) and the token to send it. */
export interface Login {
  url: string;
  token: string;
}

/**
 * The login to use, or why there is none: `CW_URL` and `CW_TOKEN` over the stored parts (read
 * only when the environment does not name both), the URL held to the token's policy (TLS off
 * this machine). Pure but for `stored`; zod-free, so the entry can use it too (`entry/early-requests.ts`).
 */
export function chooseLogin(
  env: NodeJS.ProcessEnv,
  stored: () => Partial<Login> | null,
): { login: Login } | { problem: string } {
  const saved = env.CW_URL && env.CW_TOKEN ? null : stored();
  const url = env.CW_URL || saved?.url;
  const token = env.CW_TOKEN || saved?.token;
  if (!url || !token)
    return { problem: "not logged in: run cw login --url URL (or set CW_URL and CW_TOKEN)" };
  const problem = apiUrlProblem(url);
  if (problem) return { problem: `the API URL ${url} ${env.CW_URL ? "(CW_URL) " : ""}${problem}` };
  return { login: { url: url.replace(/\/+$/, ""), token } };
}
