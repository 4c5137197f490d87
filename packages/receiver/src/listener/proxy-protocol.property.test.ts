import { SocketAddress } from "node:net";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { crc32c, parseProxyHeader, type ProxyHeader, type ProxyTlv, emptyProxyHeader } from "./proxy-protocol.js";

const SIG = Buffer.from("0d0a0d0a000d0a515549540a", "hex");
const blank: ProxyHeader = emptyProxyHeader(1, "PROXY");

const ipv4 = fc.uint8Array({ minLength: 4, maxLength: 4 });
const ipv6 = fc.uint8Array({ minLength: 16, maxLength: 16 });
const port = fc.integer({ min: 0, max: 65535 });
const v4Text = (b: Uint8Array) => b.join(".");
const v6Text = (b: Uint8Array) => {
  const groups = Array.from({ length: 8 }, (_, i) => ((b[2 * i]! << 8) | b[2 * i + 1]!).toString(16));
  return new SocketAddress({ address: groups.join(":"), family: "ipv6" }).address;
};
const u16 = (n: number) => Buffer.from([n >> 8, n & 0xff]);

/** An encoded header and what it must parse to. */
interface Case {
  bytes: Buffer;
  header: ProxyHeader;
}

const v1Case: fc.Arbitrary<Case> = fc.oneof(
  fc.tuple(ipv4, ipv4, port, port).map(([s, d, sp, dp]) => ({
    bytes: Buffer.from(`PROXY TCP4 ${v4Text(s)} ${v4Text(d)} ${sp} ${dp}\r\n`),
    header: { ...blank, family: "TCP4" as const, sourceIp: v4Text(s), destinationIp: v4Text(d), sourcePort: sp, destinationPort: dp },
  })),
  fc.tuple(ipv6, ipv6, port, port).map(([s, d, sp, dp]) => ({
    bytes: Buffer.from(`PROXY TCP6 ${v6Text(s)} ${v6Text(d)} ${sp} ${dp}\r\n`),
    header: { ...blank, family: "TCP6" as const, sourceIp: v6Text(s), destinationIp: v6Text(d), sourcePort: sp, destinationPort: dp },
  })),
  fc.string({ unit: fc.constantFrom("f", ":", ".", "1", " ", "x"), maxLength: 90 }).map((rest) => ({ bytes: Buffer.from(`PROXY UNKNOWN${rest && ` ${rest}`}\r\n`), header: blank })),
);

const tlv = fc.record({ type: fc.integer({ min: 0, max: 255 }).filter((t) => t !== 0x03 && t !== 0xea), value: fc.uint8Array({ maxLength: 40 }) });

const v2Case: fc.Arbitrary<Case> = fc
  .tuple(fc.constantFrom(0x11, 0x21, 0x00), fc.boolean(), ipv4, ipv6, ipv6, port, port, fc.array(tlv, { maxLength: 4 }), fc.boolean(), fc.boolean())
  .map(([fam, local, s4, s6, d6, sp, dp, tlvs, withCrc, withVpce]): Case => {
    const addr = fam === 0x11 ? Buffer.concat([s4, s4, u16(sp), u16(dp)]) : fam === 0x21 ? Buffer.concat([s6, d6, u16(sp), u16(dp)]) : Buffer.alloc(0);
    const all: ProxyTlv[] = tlvs.map((t) => ({ type: t.type, value: Buffer.from(t.value) }));
    if (withVpce) all.push({ type: 0xea, value: Buffer.from("\x01vpce-0123456789abcdef0", "latin1") });
    if (withCrc) all.unshift({ type: 0x03, value: Buffer.alloc(4) });
    const body = Buffer.concat([addr, ...all.flatMap((t) => [Buffer.from([t.type]), u16(t.value.length), t.value])]);
    const bytes = Buffer.concat([SIG, Buffer.from([local ? 0x20 : 0x21, fam]), u16(body.length), body]);
    if (withCrc) {
      const crc = crc32c(bytes);
      bytes.writeUInt32BE(crc, 16 + addr.length + 3);
      all[0]!.value.writeUInt32BE(crc);
    }
    const header: ProxyHeader = { ...blank, version: 2, command: local ? "LOCAL" : "PROXY" };
    if (local) return { bytes, header };
    header.tlvs = all;
    header.awsVpceId = withVpce ? "vpce-0123456789abcdef0" : null;
    if (fam === 0x11) Object.assign(header, { family: "TCP4", sourceIp: v4Text(s4), destinationIp: v4Text(s4), sourcePort: sp, destinationPort: dp });
    if (fam === 0x21) Object.assign(header, { family: "TCP6", sourceIp: v6Text(s6), destinationIp: v6Text(d6), sourcePort: sp, destinationPort: dp });
    return { bytes, header };
  });

const payload = fc.uint8Array({ maxLength: 64 });

describe("parseProxyHeader properties", () => {
  it("every strict prefix of a header is incomplete; the header plus any payload parses to it", () => {
    fc.assert(
      fc.property(fc.oneof(v1Case, v2Case), payload, ({ bytes, header }, rest) => {
        for (let k = 0; k < bytes.length; k++) expect(parseProxyHeader(bytes.subarray(0, k))).toEqual({ status: "incomplete" });
        const stream = Buffer.concat([bytes, rest]);
        for (let k = bytes.length; k <= stream.length; k += 7) {
          expect(parseProxyHeader(stream.subarray(0, k))).toEqual({ status: "ok", header, consumed: bytes.length });
        }
      }),
      { numRuns: 300 },
    );
  });

  const byte = fc.integer({ min: 0, max: 255 });
  const anyBytes = fc.oneof(
    fc.uint8Array({ maxLength: 300 }),
    fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.concat([SIG, Buffer.from([0x21]), b])),
    fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.concat([Buffer.from("PROXY "), b])),
    fc.array(fc.constantFrom(..."PROXY TCP46UNKOW0123456789abcdef:. \r\n"), { maxLength: 120 }).map((c) => Buffer.from(`PROXY ${c.join("")}`)),
  );

  it("never throws on arbitrary bytes, and an ok header never claims more than it was given", () => {
    fc.assert(
      fc.property(anyBytes, (bytes) => {
        const r = parseProxyHeader(Buffer.from(bytes));
        expect(["incomplete", "absent", "invalid", "ok"]).toContain(r.status);
        if (r.status === "ok") expect(r.consumed).toBeLessThanOrEqual(bytes.length);
      }),
      { numRuns: 2000 },
    );
  });

  it("a first byte other than CR or 'P' (TLS 0x16, '<', a digit, …) is absent after that one byte", () => {
    fc.assert(
      fc.property(byte.filter((b) => b !== 0x0d && b !== 0x50), payload, (first, rest) => {
        expect(parseProxyHeader(Buffer.from([first]))).toEqual({ status: "absent" });
        expect(parseProxyHeader(Buffer.concat([Buffer.from([first]), rest]))).toEqual({ status: "absent" });
      }),
    );
  });
});
