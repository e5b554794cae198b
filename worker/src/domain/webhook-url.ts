import { judgePublicHost, type UrlVerdict } from "./repository-url.ts";

/**
 * The webhook URL policy, pure: a delivery is a request from the control plane to a host the
 * tenant names, so production takes only https:// URLs without credentials to public hosts (a
 * name's addresses are checked by the caller once resolved, at creation and before each send).
 * With local URLs allowed (ALLOW_LOCAL_REPOSITORIES: the local stack, tests) any http(s) URL is.
 */
export function judgeWebhookUrl(raw: string, allowLocal: boolean): UrlVerdict {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, message: "is not a valid URL" };
  }
  if (allowLocal)
    return url.protocol === "https:" || url.protocol === "http:"
      ? { ok: true, host: null }
      : { ok: false, message: "must be an http:// or https:// URL" };
  if (url.protocol !== "https:") return { ok: false, message: "must be an https:// URL" };
  if (url.username || url.password) return { ok: false, message: "must not carry a user name or password" };
  return judgePublicHost(url.hostname);
}
