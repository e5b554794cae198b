import { createHash } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { z } from "zod";

/**
 * Trust on first use: the first host key seen for a `host:port` is pinned; a different key later
 * refuses the connection. Freestyle does not publish its gateway's key, so pinning is what we have.
 */
export interface HostKeyStore {
  get(hostId: string): Promise<string | undefined>;
  pin(hostId: string, fingerprint: string): Promise<void>;
  /** Where the pins live, for the "how to trust a new key" hint. */
  readonly location: string;
}

export class HostKeyMismatchError extends Error {
  override name = "HostKeyMismatchError";
  constructor(
    readonly hostId: string,
    readonly expected: string,
    readonly actual: string,
    location: string,
  ) {
    super(
      `The SSH host key of ${hostId} has changed (pinned ${expected}, now ${actual}). Refusing to connect: ` +
        "someone may be intercepting the connection, or the host was rebuilt. If you trust the new key, " +
        `remove the entry for ${hostId} from ${location} and connect again.`,
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

/** Checks `fingerprint` against the pin for `hostId`, pinning it when there is none. */
export async function verifyHostKey(store: HostKeyStore, hostId: string, fingerprint: string): Promise<void> {
  const pinned = await store.get(hostId);
  if (pinned === undefined) {
    await store.pin(hostId, fingerprint);
    return;
  }
  if (pinned !== fingerprint) throw new HostKeyMismatchError(hostId, pinned, fingerprint, store.location);
}

const PinFile = z.object({ version: z.literal(1), hosts: z.record(z.string(), z.string()) });

/** Pins in a JSON file (mode 0600), written by rename so a crash never leaves half a file. */
export function fileHostKeyStore(file: string): HostKeyStore {
  let cache: Record<string, string> | null = null;
  let writing: Promise<void> = Promise.resolve();

  async function load(): Promise<Record<string, string>> {
    if (cache) return cache;
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
      cache = {};
      return cache;
    }
    const parsed = PinFile.safeParse(JSON.parse(text));
    // A corrupt pin file must not silently become "trust everything": refuse until it is fixed.
    if (!parsed.success) throw new Error(`The host key file ${file} is not valid; fix or delete it.`);
    cache = parsed.data.hosts;
    return cache;
  }

  return {
    location: file,
    async get(hostId) {
      return (await load())[hostId];
    },
    async pin(hostId, fingerprint) {
      const hosts = await load();
      hosts[hostId] = fingerprint;
      writing = writing
        .catch(() => {})
        .then(async () => {
          await mkdir(dirname(file), { recursive: true });
          const tmp = `${file}.${process.pid}.tmp`;
          await writeFile(tmp, JSON.stringify({ version: 1, hosts }, null, 2), { mode: 0o600 });
          await rename(tmp, file);
        });
      await writing;
    },
  };
}

export function memoryHostKeyStore(initial: Record<string, string> = {}): HostKeyStore {
  const hosts = { ...initial };
  return {
    location: "memory",
    get: async (hostId) => hosts[hostId],
    pin: async (hostId, fingerprint) => {
      hosts[hostId] = fingerprint;
    },
  };
}
