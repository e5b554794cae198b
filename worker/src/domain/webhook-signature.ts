/**
 * Standard Webhooks signing (https://www.standardwebhooks.com): the secret is `whsec_` and the
 * base64 of the key; each delivery carries `webhook-id` (the event's id, the same on every retry,
 * so receivers can drop repeats), `webhook-timestamp` (Unix seconds of this attempt) and
 * `webhook-signature`: `v1,` and the base64 HMAC-SHA256 of `id.timestamp.body` under the key.
 * WebCrypto only.
 */
export const SECRET_PREFIX = "whsec_";
const KEY_BYTES = 32;

const toBase64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));

/** A new signing secret: 256 random bits. */
export function newWebhookSecret(): string {
  return SECRET_PREFIX + toBase64(crypto.getRandomValues(new Uint8Array(KEY_BYTES)));
}

function keyOf(secret: string): Uint8Array {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  return Uint8Array.from(atob(encoded), (c) => c.charCodeAt(0));
}

/** `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`. */
export async function webhookSignature(
  secret: string,
  id: string,
  timestampSeconds: number,
  body: string,
): Promise<string> {
  const key = await crypto.subtle.importKey("raw", keyOf(secret), { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
  ]);
  const mac = await crypto.subtle.sign(
    "HMAC",
    key,
    new TextEncoder().encode(`${id}.${timestampSeconds}.${body}`),
  );
  return `v1,${toBase64(new Uint8Array(mac))}`;
}

/** The headers of one attempt to deliver `body` as message `id`, signed at `at`. */
export async function webhookHeaders(
  secret: string,
  id: string,
  at: Date,
  body: string,
): Promise<Record<string, string>> {
  const timestamp = Math.floor(at.getTime() / 1000);
  return {
    "content-type": "application/json",
    "webhook-id": id,
    "webhook-timestamp": String(timestamp),
    "webhook-signature": await webhookSignature(secret, id, timestamp, body),
  };
}
