import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { writePrivateFile } from "@cw/client-node/private-files";
import { z } from "zod";

/**
 * SSH host keys, trusted on first use and pinned twice: per `host:port` (what the API says to dial)
 * and per VM (provider and VM id: what the workspace is). The API's answer alone cannot move a
 * known VM to another host or key, and a known host cannot change its key, without the user
 * confirming it; anything new is pinned silently. Freestyle does not publish its gateway's key, so
 * pinning is what we have.
 */
export interface HostKeyOffer {
  /** `host:port` as dialled (`hostIdOf`). */
  host: string;
  /** The VM behind it, `provider:vmId`, when known. */
  vm?: string;
  fingerprint: string;
}

export interface PinnedKey {
  host: string;
  fingerprint: string;
}

export interface HostKeyPins {
  hosts: Record<string, string>;
  vms: Record<string, PinnedKey>;
}

export interface HostKeyStore {
  read(): Promise<HostKeyPins>;
  /** Pins the offer for its host and, when it names one, its VM. */
  pin(offer: HostKeyOffer): Promise<void>;
}

export type HostKeyVerdict = { kind: "trusted" } | { kind: "new" } | { kind: "changed"; pinned: PinnedKey };

/** What the pins say of an offered key; the VM's pin, when there is one, decides. */
export function judgeHostKey(pins: HostKeyPins, offer: HostKeyOffer): HostKeyVerdict {
  const vmPin = offer.vm === undefined ? undefined : pins.vms[offer.vm];
  if (vmPin)
    return vmPin.host === offer.host && vmPin.fingerprint === offer.fingerprint
      ? { kind: "trusted" }
      : { kind: "changed", pinned: vmPin };
  const hostPin = pins.hosts[offer.host];
  if (hostPin === undefined) return { kind: "new" };
  return hostPin === offer.fingerprint
    ? { kind: "trusted" }
    : { kind: "changed", pinned: { host: offer.host, fingerprint: hostPin } };
}

export class HostKeyMismatchError extends Error {
  override name = "HostKeyMismatchError";
  constructor(
    readonly offer: HostKeyOffer,
    readonly pinned: PinnedKey,
  ) {
    const what =
      pinned.host === offer.host
        ? `The SSH host key of ${offer.host} has changed (pinned ${pinned.fingerprint}, now ${offer.fingerprint}).`
        : `The VM ${offer.vm} answered at ${pinned.host} with key ${pinned.fingerprint}; the API now sends it to ${offer.host}, with key ${offer.fingerprint}.`;
    super(
      `${what} Refusing to connect: someone may be intercepting the connection, or the host was rebuilt. ` +
        "Trust the new key only if you know why it changed.",
    );
  }
}

/** OpenSSH's fingerprint format for a raw public-key blob: `SHA256:` + unpadded base64. */
export function fingerprintOf(keyBlob: Uint8Array): string {
  return `SHA256:${createHash("sha256").update(keyBlob).digest("base64").replace(/=+$/, "")}`;
}

export function hostIdOf(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Accepts a trusted key, pins a new one, and throws `HostKeyMismatchError` for a changed one. */
export async function verifyHostKey(store: HostKeyStore, offer: HostKeyOffer): Promise<void> {
  const verdict = judgeHostKey(await store.read(), offer);
  if (verdict.kind === "new") await store.pin(offer);
  if (verdict.kind === "changed") throw new HostKeyMismatchError(offer, verdict.pinned);
}

function pinned(pins: HostKeyPins, offer: HostKeyOffer): HostKeyPins {
  const key = { host: offer.host, fingerprint: offer.fingerprint };
  return {
    hosts: { ...pins.hosts, [offer.host]: offer.fingerprint },
    vms: offer.vm === undefined ? pins.vms : { ...pins.vms, [offer.vm]: key },
  };
}

const hostsSchema = z.record(z.string(), z.string());
const PinFile = z.union([
  z.object({
    version: z.literal(2),
    hosts: hostsSchema,
    vms: z.record(z.string(), z.object({ host: z.string(), fingerprint: z.string() })),
  }),
  // Written before VMs were pinned: its host pins still hold.
  z.object({ version: z.literal(1), hosts: hostsSchema }).transform((v) => ({ ...v, vms: {} })),
]);

/** Pins in an owner-only JSON file. */
export function fileHostKeyStore(file: string): HostKeyStore {
  let cache: HostKeyPins | null = null;
  let writing: Promise<void> = Promise.resolve();

  async function load(): Promise<HostKeyPins> {
    if (cache) return cache;
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
      cache = { hosts: {}, vms: {} };
      return cache;
    }
    const parsed = PinFile.safeParse(safeJson(text));
    // A corrupt pin file must not silently become "trust everything": refuse until it is fixed.
    if (!parsed.success) throw new Error(`The host key file ${file} is not valid; fix or delete it.`);
    cache = { hosts: parsed.data.hosts, vms: parsed.data.vms };
    return cache;
  }

  return {
    read: load,
    async pin(offer) {
      await load();
      // From the cache as it is now: another pin may have landed while this one waited.
      const next = pinned(cache!, offer);
      cache = next;
      writing = writing
        .catch(() => {})
        .then(() => writePrivateFile(file, JSON.stringify({ version: 2, ...next }, null, 2)));
      await writing;
    },
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

export function memoryHostKeyStore(initial: Partial<HostKeyPins> = {}): HostKeyStore {
  let pins: HostKeyPins = { hosts: { ...initial.hosts }, vms: { ...initial.vms } };
  return {
    read: async () => pins,
    pin: async (offer) => {
      pins = pinned(pins, offer);
    },
  };
}
