import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addressKind, isPublicAddress, parseIpv4, parseIpv6 } from "~/domain/ip-address";

describe("addressKind", () => {
  it("classifies the IPv4 special ranges", () => {
    const cases: [string, string][] = [
      ["0.0.0.0", "unspecified"],
      ["0.1.2.3", "unspecified"],
      ["10.0.0.1", "private"],
      ["10.255.255.255", "private"],
      ["100.64.0.1", "cgnat"],
      ["100.127.255.255", "cgnat"],
      ["100.128.0.0", "public"],
      ["127.0.0.1", "loopback"],
      ["127.255.0.9", "loopback"],
      ["169.254.169.254", "link-local"], // cloud metadata
      ["172.15.255.255", "public"],
      ["172.16.0.1", "private"],
      ["172.31.255.255", "private"],
      ["172.32.0.0", "public"],
      ["192.0.2.10", "reserved"],
      ["192.168.1.1", "private"],
      ["198.18.0.1", "reserved"],
      ["224.0.0.251", "multicast"],
      ["239.255.255.250", "multicast"],
      ["240.0.0.1", "reserved"],
      ["255.255.255.255", "reserved"],
      ["8.8.8.8", "public"],
      ["1.1.1.1", "public"],
      ["93.184.216.34", "public"],
    ];
    for (const [address, kind] of cases) expect(addressKind(address), address).toBe(kind);
  });

  it("classifies IPv6, and IPv4 carried in IPv6 as that IPv4", () => {
    const cases: [string, string][] = [
      ["::", "unspecified"],
      ["::1", "loopback"],
      ["0:0:0:0:0:0:0:1", "loopback"],
      ["[::1]", "loopback"],
      ["::ffff:127.0.0.1", "loopback"],
      ["::ffff:7f00:1", "loopback"],
      ["::FFFF:10.1.2.3", "private"],
      ["::ffff:169.254.169.254", "link-local"],
      ["::ffff:8.8.8.8", "public"],
      ["::127.0.0.1", "loopback"], // IPv4-compatible
      ["64:ff9b::7f00:1", "loopback"], // NAT64
      ["64:ff9b::8.8.8.8", "public"],
      ["64:ff9b:1::1", "private"],
      ["2002:7f00:1::", "loopback"], // 6to4 of 127.0.0.1
      ["2002:0808:0808::1", "public"],
      ["fc00::1", "unique-local"],
      ["fd12:3456:789a::1", "unique-local"],
      ["fe80::1%eth0", "link-local"],
      ["febf::1", "link-local"],
      ["fec0::1", "private"],
      ["ff02::1", "multicast"],
      ["2001:db8::1", "reserved"],
      ["2001:0:4136:e378:8000:63bf:3fff:fdd2", "reserved"], // Teredo
      ["100::1", "reserved"],
      ["4000::1", "reserved"], // outside 2000::/3
      ["2606:4700:4700::1111", "public"],
      ["2a00:1450:4001:81c::200e", "public"],
    ];
    for (const [address, kind] of cases) expect(addressKind(address), address).toBe(kind);
  });

  it("calls anything that is not a strict IP literal invalid, never public", () => {
    for (const text of [
      "",
      "localhost",
      "127.1",
      "0x7f.0.0.1",
      "0177.0.0.1",
      "2130706433",
      "1.2.3.4.5",
      "256.1.1.1",
      ":::",
      "1::2::3",
      "::ffff:1.2.3",
      "g::1",
      "1:2:3:4:5:6:7:8:9",
      "1:2:3:4:5:6:7",
    ]) {
      expect(addressKind(text), text).toBe("invalid");
      expect(isPublicAddress(text), text).toBe(false);
    }
  });

  it("gives every IPv4 address the same kind in its mapped, hex-mapped, NAT64 and 6to4 forms (property)", () => {
    fc.assert(
      fc.property(fc.ipV4(), (ip) => {
        const value = parseIpv4(ip)!;
        const hi = (value >> 16n).toString(16);
        const lo = (value & 0xffffn).toString(16);
        const kind = addressKind(ip);
        expect(addressKind(`::ffff:${ip}`)).toBe(kind);
        expect(addressKind(`::ffff:${hi}:${lo}`)).toBe(kind);
        expect(addressKind(`64:ff9b::${hi}:${lo}`)).toBe(kind);
        expect(addressKind(`2002:${hi}:${lo}::1`)).toBe(kind);
      }),
      { numRuns: 2000, seed: 15 },
    );
  });

  it("parses what fast-check calls IPv6 the same with and without compression (property)", () => {
    fc.assert(
      fc.property(fc.ipV6(), (ip) => {
        const value = parseIpv6(ip);
        expect(value, ip).not.toBeNull();
        const full = Array.from({ length: 8 }, (_, i) =>
          ((value! >> BigInt(112 - 16 * i)) & 0xffffn).toString(16),
        ).join(":");
        expect(parseIpv6(full)).toBe(value);
        expect(addressKind(full)).toBe(addressKind(ip));
      }),
      { numRuns: 2000, seed: 15 },
    );
  });
});
