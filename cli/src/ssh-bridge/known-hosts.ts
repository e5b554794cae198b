import { appendFile, mkdir, readFile } from "node:fs/promises";
import { dirname } from "node:path";

/**
 * Pinned SSH host keys, in OpenSSH's known_hosts format so that cw's own file can also be handed
 * to `ssh -o UserKnownHostsFile=…`. Keys are `<type> <base64 blob>`; hosts are named as OpenSSH
 * names them (`host`, or `[host]:port` off port 22).
 */
export interface KnownHostsStore {
  /** The keys pinned for a host name. */
  lookup(hostName: string): Promise<string[]>;
  add(hostName: string, key: string): Promise<void>;
  /** Where the pins live, for the "how to trust a new key" hint. */
  readonly location: string;
}

export function knownHostName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

export function knownHostsLine(hostName: string, key: string): string {
  return `${hostName} ${key}\n`;
}

/** `<type> <base64>` of a raw public key blob as SSH sends it (the type is its first string). */
export function keyOfBlob(blob: Buffer): string {
  const typeLength = blob.readUInt32BE(0);
  return `${blob.subarray(4, 4 + typeLength).toString("latin1")} ${blob.toString("base64")}`;
}

export class HostKeyChangedError extends Error {
  override name = "HostKeyChangedError";
  constructor(hostName: string, location: string) {
    super(
      `the SSH host key of ${hostName} has changed; refusing to connect (the connection may be intercepted). ` +
        `If you trust the new key, delete the ${hostName} line from ${location}.`,
    );
  }
}

/** Trust on first use: the first key seen for a host is pinned; any other key later is refused. */
export async function verifyHostKey(store: KnownHostsStore, hostName: string, key: string): Promise<void> {
  const pinned = await store.lookup(hostName);
  if (pinned.length === 0) return store.add(hostName, key);
  if (!pinned.includes(key)) throw new HostKeyChangedError(hostName, store.location);
}

/**
 * Plain (unhashed) entries; markers (`@revoked`, `@cert-authority`), hashed names and comments
 * are left alone, since cw writes none of them.
 */
function parse(text: string): { names: string[]; key: string }[] {
  const entries: { names: string[]; key: string }[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith("@") || line.startsWith("|")) continue;
    const [names, type, blob] = line.split(/\s+/);
    if (names && type && blob) entries.push({ names: names.split(","), key: `${type} ${blob}` });
  }
  return entries;
}

async function readIfExists(file: string): Promise<string> {
  try {
    return await readFile(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return "";
    throw e;
  }
}

export function fileKnownHosts(file: string): KnownHostsStore {
  return {
    location: file,
    async lookup(hostName) {
      return parse(await readIfExists(file))
        .filter((entry) => entry.names.includes(hostName))
        .map((entry) => entry.key);
    },
    async add(hostName, key) {
      await mkdir(dirname(file), { recursive: true, mode: 0o700 });
      const text = await readIfExists(file);
      const separator = text === "" || text.endsWith("\n") ? "" : "\n";
      // One append per pin: concurrent bridges may pin the same key twice, which is harmless.
      await appendFile(file, separator + knownHostsLine(hostName, key), { mode: 0o600 });
    },
  };
}

export function memoryKnownHosts(initial: Record<string, string[]> = {}): KnownHostsStore {
  const hosts = new Map(Object.entries(initial));
  return {
    location: "memory",
    lookup: async (hostName) => hosts.get(hostName) ?? [],
    add: async (hostName, key) => void hosts.set(hostName, [...(hosts.get(hostName) ?? []), key]),
  };
}
