/**
 * Secrets at rest: AES-256-GCM through WebCrypto under a key ring. The ring is the worker secret
 * GIT_CREDENTIAL_KEYS, `id:base64key[,id:base64key…]`: the first key encrypts, every key decrypts,
 * and each ciphertext names its key's id, so a new key can be put first and the old one dropped once
 * nothing is under it any more (the scheduled re-encryption moves everything to the first key).
 *
 * Every ciphertext is bound to what it belongs to (`context`, GCM's additional data): a ciphertext
 * copied into another row — another organization's, another host's — does not decrypt.
 */

export interface RingKey {
  id: string;
  /** 32 bytes. */
  raw: Uint8Array;
}

export type KeyRing = readonly [RingKey, ...RingKey[]];

export interface Sealed {
  keyId: string;
  /** base64 */
  iv: string;
  /** base64, GCM tag included */
  ciphertext: string;
}

const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;
const IV_BYTES = 12;

const toBase64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));

function fromBase64(text: string): Uint8Array | null {
  try {
    return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}

/** The ring in the variable's text, or why not (never quoting a key). */
export function parseKeyRing(text: string): { ok: true; ring: KeyRing } | { ok: false; message: string } {
  const keys: RingKey[] = [];
  for (const [i, entry] of text.split(",").entries()) {
    const [id, material, ...rest] = entry.trim().split(":");
    if (!id || !material || rest.length || !KEY_ID.test(id))
      return { ok: false, message: `entry ${i + 1} is not id:base64key (id: letters, digits, - and _)` };
    const raw = fromBase64(material);
    if (raw?.length !== 32) return { ok: false, message: `key ${id} is not 32 bytes of base64` };
    if (keys.some((k) => k.id === id)) return { ok: false, message: `key id ${id} appears twice` };
    keys.push({ id, raw });
  }
  return { ok: true, ring: keys as unknown as KeyRing };
}

const importKey = (key: RingKey, use: "encrypt" | "decrypt") =>
  crypto.subtle.importKey("raw", key.raw, { name: "AES-GCM" }, false, [use]);

export async function seal(ring: KeyRing, plaintext: string, context: string): Promise<Sealed> {
  const key = ring[0];
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const ciphertext = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: new TextEncoder().encode(context) },
    await importKey(key, "encrypt"),
    new TextEncoder().encode(plaintext),
  );
  return { keyId: key.id, iv: toBase64(iv), ciphertext: toBase64(new Uint8Array(ciphertext)) };
}

/** Thrown when a ciphertext cannot be opened: its key is not in the ring, or it was tampered with or moved. */
export class SealedUnreadable extends Error {}

export async function open(ring: KeyRing, sealed: Sealed, context: string): Promise<string> {
  const key = ring.find((k) => k.id === sealed.keyId);
  if (!key) throw new SealedUnreadable(`key ${sealed.keyId} is not in GIT_CREDENTIAL_KEYS`);
  const iv = fromBase64(sealed.iv);
  const data = fromBase64(sealed.ciphertext);
  if (iv?.length !== IV_BYTES || !data) throw new SealedUnreadable("malformed ciphertext");
  try {
    const plain = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv, additionalData: new TextEncoder().encode(context) },
      await importKey(key, "decrypt"),
      data,
    );
    return new TextDecoder().decode(plain);
  } catch {
    throw new SealedUnreadable("the ciphertext does not open under its key and context");
  }
}
