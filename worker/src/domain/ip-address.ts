/**
 * Whether an IP address is on the public internet, for refusing repository hosts that would make
 * a clone reach into the provider's (or our) own network. Pure; addresses arrive as text, IPv4
 * dotted-quad or IPv6 in any of its written forms.
 */

export type AddressClass = "public" | "loopback" | "private" | "link-local" | "reserved";

type Range = [prefix: bigint, bits: number, cls: Exclude<AddressClass, "public">];

const v4 = (a: number, b: number, c: number, d: number) =>
  BigInt(((a << 24) | (b << 16) | (c << 8) | d) >>> 0);

const V4_RANGES: Range[] = [
  [v4(0, 0, 0, 0), 8, "reserved"],
  [v4(10, 0, 0, 0), 8, "private"],
  [v4(100, 64, 0, 0), 10, "private"], // carrier-grade NAT
  [v4(127, 0, 0, 0), 8, "loopback"],
  [v4(169, 254, 0, 0), 16, "link-local"], // cloud metadata endpoints live here
  [v4(172, 16, 0, 0), 12, "private"],
  [v4(192, 0, 0, 0), 24, "reserved"],
  [v4(192, 0, 2, 0), 24, "reserved"],
  [v4(192, 168, 0, 0), 16, "private"],
  [v4(198, 18, 0, 0), 15, "reserved"],
  [v4(198, 51, 100, 0), 24, "reserved"],
  [v4(203, 0, 113, 0), 24, "reserved"],
  [v4(224, 0, 0, 0), 4, "reserved"], // multicast
  [v4(240, 0, 0, 0), 4, "reserved"], // and broadcast
];

const v6 = (text: string) => parseIpv6(text)!;
const V6_RANGES: Range[] = [
  [v6("::1"), 128, "loopback"],
  [v6("::"), 96, "reserved"], // unspecified and IPv4-compatible
  [v6("100::"), 64, "reserved"],
  [v6("2001::"), 32, "reserved"], // Teredo tunnels to any IPv4 address
  [v6("2001:db8::"), 32, "reserved"],
  [v6("2001:10::"), 28, "reserved"],
  [v6("fc00::"), 7, "private"],
  [v6("fe80::"), 10, "link-local"],
  [v6("fec0::"), 10, "private"],
  [v6("ff00::"), 8, "reserved"],
];

/** IPv6 prefixes that carry an IPv4 address in their low 32 bits: judged by that address. */
const EMBEDS_V4: [prefix: bigint, bits: number][] = [
  [v6("::ffff:0:0"), 96],
  [v6("64:ff9b::"), 96],
  [v6("64:ff9b:1::"), 48],
];

function inRange(value: bigint, width: number, prefix: bigint, bits: number): boolean {
  const shift = BigInt(width - bits);
  return value >> shift === prefix >> shift;
}

/** Strict dotted-quad (the forms resolvers answer with; looser forms are normalized before this). */
export function parseIpv4(text: string): bigint | null {
  const parts = text.split(".");
  if (parts.length !== 4) return null;
  let value = 0n;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return null;
    value = (value << 8n) | BigInt(part);
  }
  return value;
}

export function parseIpv6(text: string): bigint | null {
  let head = text;
  let tail: bigint[] = [];
  const dotted = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const four = parseIpv4(dotted[2]!);
    if (four === null) return null;
    head = `${dotted[1]}0:0`;
    tail = [four >> 16n, four & 0xffffn];
  }
  const halves = head.split("::");
  if (halves.length > 2) return null;
  const groups = (s: string) => (s === "" ? [] : s.split(":"));
  const left = groups(halves[0]!);
  const right = halves.length === 2 ? groups(halves[1]!) : [];
  const fill = 8 - left.length - right.length;
  if (halves.length === 2 ? fill < 1 : fill !== 0) return null;
  const all = [...left, ...Array<string>(fill).fill("0"), ...right];
  let value = 0n;
  for (const group of all) {
    if (!/^[0-9a-f]{1,4}$/i.test(group)) return null;
    value = (value << 16n) | BigInt(Number.parseInt(group, 16));
  }
  if (tail.length) value = (value & ~0xffffffffn) | (tail[0]! << 16n) | tail[1]!;
  return value;
}

function classifyV4(value: bigint): AddressClass {
  for (const [prefix, bits, cls] of V4_RANGES) if (inRange(value, 32, prefix, bits)) return cls;
  return "public";
}

/** The class of an address, or null when `text` is not an IP address at all. */
export function classifyAddress(text: string): AddressClass | null {
  const four = parseIpv4(text);
  if (four !== null) return classifyV4(four);
  const six = parseIpv6(text.replace(/^\[|\]$/g, ""));
  if (six === null) return null;
  for (const [prefix, bits] of EMBEDS_V4)
    if (inRange(six, 128, prefix, bits)) return classifyV4(six & 0xffffffffn);
  if (inRange(six, 128, v6("2002::"), 16)) return classifyV4((six >> 80n) & 0xffffffffn); // 6to4
  for (const [prefix, bits, cls] of V6_RANGES) if (inRange(six, 128, prefix, bits)) return cls;
  return "public";
}
