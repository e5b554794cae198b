/**
 * Why an API URL is refused, or null. The token travels in every request: only TLS protects it on
 * a network. Plain http is for a control plane on this machine (the local stack), where nothing is
 * on the wire.
 */
export function apiUrlProblem(url: string): string | null {
  if (!/^https?:\/\//i.test(url)) return "must start with https:// (or http:// to this machine)";
  if (!URL.canParse(url)) return "must be a URL";
  if (/^https:/i.test(url) || isLoopback(new URL(url).hostname)) return null;
  return "must use https:// (plain http:// only to this machine: localhost, 127.0.0.1 or [::1])";
}

function isLoopback(hostname: string): boolean {
  return hostname === "localhost" || hostname === "[::1]" || /^127(\.\d{1,3}){3}$/.test(hostname);
}
