// What kind of address an IP is, for deciding whether the server may connect to it on a team's
// behalf (burn-alert webhooks: docs/decisions/0015-webhook-targets.md). Pure: text in, a kind out.
// Only "public" addresses are fair game; everything else reaches the server's own machine, its
// network or nowhere useful. IPv6 forms that carry an IPv4 address (IPv4-mapped ::ffff:a.b.c.d,
// IPv4-compatible ::a.b.c.d, NAT64 64:ff9b::/96, 6to4 2002::/16) take the kind of that address.

export type AddressKind =
  | "public"
  | "unspecified"
  | "loopback"
  | "private"
  | "cgnat"
  | "link-local"
  | "unique-local"
  | "multicast"
  | "reserved"
  | "invalid";

type Range = [prefix: bigint, bits: number, kind: AddressKind];

const v4 = (a: number, b: number, c: number, d: number) => BigInt(((a << 24) | (b << 16) | (c << 8) | d) >>> 0);

// Special-purpose IPv4 registry (RFC 6890 and successors); anything not listed is public.
const V4_RANGES: Range[] = [
  [v4(0, 0, 0, 0), 8, "unspecified"], // "this network"
  [v4(10, 0, 0, 0), 8, "private"],
  [v4(100, 64, 0, 0), 10, "cgnat"],
  [v4(127, 0, 0, 0), 8, "loopback"],
  [v4(169, 254, 0, 0), 16, "link-local"],
  [v4(172, 16, 0, 0), 12, "private"],
  [v4(192, 0, 0, 0), 24, "reserved"], // IETF protocol assignments
  [v4(192, 0, 2, 0), 24, "reserved"], // documentation
  [v4(192, 88, 99, 0), 24, "reserved"], // 6to4 relay anycast
  [v4(192, 168, 0, 0), 16, "private"],
  [v4(198, 18, 0, 0), 15, "reserved"], // benchmarking
  [v4(198, 51, 100, 0), 24, "reserved"], // documentation
  [v4(203, 0, 113, 0), 24, "reserved"], // documentation
  [v4(224, 0, 0, 0), 4, "multicast"],
  [v4(240, 0, 0, 0), 4, "reserved"], // future use and 255.255.255.255 broadcast
];

const v6 = (text: string) => parseIpv6(text)!;

// IPv6: only global unicast (2000::/3) is public, less the special blocks in it.
const V6_RANGES: Range[] = [
  [0n, 128, "unspecified"],
  [1n, 128, "loopback"],
  [v6("64:ff9b:1::"), 48, "private"], // local-use NAT64
  [v6("100::"), 64, "reserved"], // discard-only
  [v6("2001::"), 23, "reserved"], // IETF protocol assignments, Teredo (2001::/32) included
  [v6("2001:db8::"), 32, "reserved"], // documentation
  [v6("3fff::"), 20, "reserved"], // documentation
  [v6("5f00::"), 16, "reserved"], // segment routing
  [v6("fc00::"), 7, "unique-local"],
  [v6("fe80::"), 10, "link-local"],
  [v6("fec0::"), 10, "private"], // site-local, deprecated
  [v6("ff00::"), 8, "multicast"],
];

/** IPv6 prefixes whose low 32 bits (or, for 6to4, bits 16–48) are an IPv4 address. */
const V4_CARRIERS: { prefix: bigint; bits: number; shift: bigint }[] = [
  { prefix: v6("::ffff:0:0"), bits: 96, shift: 0n }, // IPv4-mapped
  { prefix: 0n, bits: 96, shift: 0n }, // IPv4-compatible (deprecated); :: and ::1 are matched first
  { prefix: v6("64:ff9b::"), bits: 96, shift: 0n }, // NAT64
  { prefix: v6("2002::"), bits: 16, shift: 80n }, // 6to4
];

function inRange(value: bigint, width: number, prefix: bigint, bits: number): boolean {
  const shift = BigInt(width - bits);
  return value >> shift === prefix >> shift;
}

function kindIn(value: bigint, width: number, ranges: Range[]): AddressKind | null {
  let best: { bits: number; kind: AddressKind } | null = null;
  for (const [prefix, bits, kind] of ranges) {
    if (inRange(value, width, prefix, bits) && (!best || bits > best.bits)) best = { bits, kind };
  }
  return best?.kind ?? null;
}

/** The address as a 32-bit number, for strict dotted-quad text only ("127.1" and "0x7f.0.0.1" are not). */
export function parseIpv4(text: string): bigint | null {
  const parts = text.split(".");
  if (parts.length !== 4) return null;
  let value = 0n;
  for (const part of parts) {
    if (!/^(?:0|[1-9]\d{0,2})$/.test(part) || Number(part) > 255) return null;
    value = (value << 8n) | BigInt(part);
  }
  return value;
}

/** The address as a 128-bit number; accepts "::" compression, an IPv4 tail and a %zone suffix. */
export function parseIpv6(text: string): bigint | null {
  let body = text.replace(/^\[|\]$/g, "");
  const zone = body.indexOf("%");
  if (zone >= 0) body = body.slice(0, zone);
  if (!/^[0-9a-fA-F:.]+$/.test(body)) return null;
  // An IPv4 tail (::ffff:127.0.0.1) stands for the last two groups.
  const lastColon = body.lastIndexOf(":");
  if (body.includes(".")) {
    const ipv4 = parseIpv4(body.slice(lastColon + 1));
    if (ipv4 === null || lastColon < 0) return null;
    body = `${body.slice(0, lastColon + 1)}${(ipv4 >> 16n).toString(16)}:${(ipv4 & 0xffffn).toString(16)}`;
  }
  const halves = body.split("::");
  if (halves.length > 2) return null;
  const words = (half: string) => (half === "" ? [] : half.split(":"));
  const head = words(halves[0]!);
  const rest = halves.length === 2 ? words(halves[1]!) : [];
  const groups = head.length + rest.length;
  if (halves.length === 1 ? groups !== 8 : groups > 7) return null;
  const parsed: bigint[] = [];
  for (const word of [...head, ...Array(halves.length === 2 ? 8 - groups : 0).fill("0"), ...rest]) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(word)) return null;
    parsed.push(BigInt(`0x${word}`));
  }
  return parsed.reduce((acc, group) => (acc << 16n) | group, 0n);
}

/** What `address` (an IPv4 or IPv6 literal, as DNS or a URL gives it) reaches. */
export function addressKind(address: string): AddressKind {
  const ipv4 = parseIpv4(address);
  if (ipv4 !== null) return kindIn(ipv4, 32, V4_RANGES) ?? "public";
  const ipv6 = parseIpv6(address);
  if (ipv6 === null) return "invalid";
  const own = kindIn(ipv6, 128, V6_RANGES);
  if (own === "unspecified" || own === "loopback") return own;
  for (const carrier of V4_CARRIERS) {
    if (inRange(ipv6, 128, carrier.prefix, carrier.bits)) {
      const embedded = (ipv6 >> carrier.shift) & 0xffffffffn;
      return kindIn(embedded, 32, V4_RANGES) ?? "public";
    }
  }
  if (own) return own;
  return inRange(ipv6, 128, v6("2000::"), 3) ? "public" : "reserved";
}

/** Whether the server may connect to `address` for a team without the operator's leave. */
export function isPublicAddress(address: string): boolean {
  return addressKind(address) === "public";
}
