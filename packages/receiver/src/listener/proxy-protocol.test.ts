import { describe, expect, it } from "vitest";
import { crc32c, emptyProxyHeader, parseProxyHeader, PROXY_V2_MAX_BYTES, type ProxyHeader } from "./proxy-protocol.js";

const SIG = "0d0a0d0a000d0a515549540a";
const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ""), "hex");
const ascii = (s: string) => Buffer.from(s, "latin1");

const base: ProxyHeader = emptyProxyHeader(1, "PROXY");
const tcp = (family: "TCP4" | "TCP6", src: string, dst: string, sport: number, dport: number, extra: Partial<ProxyHeader> = {}): ProxyHeader => ({
  ...base,
  family,
  sourceIp: src,
  destinationIp: dst,
  sourcePort: sport,
  destinationPort: dport,
  ...extra,
});

/** A v2 header: signature, ver/cmd byte, fam byte, then the body with its length prefixed. */
const v2 = (verCmd: number, fam: number, body: Buffer) => Buffer.concat([hex(SIG), Buffer.from([verCmd, fam, body.length >> 8, body.length & 0xff]), body]);

// AWS NLB header behind PrivateLink, from aws/elastic-load-balancing-tools
// (proprot/tst/com/amazonaws/proprot/Compatibility_AwsNetworkLoadBalancerTest.java), as quoted by
// pires/go-proxyproto tlvparse/aws_test.go: TCP4, CRC32C, PP2_TYPE_AWS (VPC endpoint ID), NOOP.
const AWS_VPCE = hex(`${SIG} 21 11 0054 ac1f0771 ac1f0a1f c8f2 0050
  03 0004 e8d6892d
  ea 0017 01 7670 63652d30 38643262 66313566 61633530 30316339
  04 0024 ${"00".repeat(36)}`);
// Same source, a capture: vpce-00eafc458ec97b833.
const AWS_CAPTURE = hex(`${SIG} 21 11 0054 c0a82c0a c0a82c07 cc3e 241b
  03 0004 b9286fa6
  ea 0017 01 76706365 2d303065 61666334 35386563 39376238 3333
  04 0024 ${"00".repeat(36)}`);

describe("parseProxyHeader: v1 (spec §2.1)", () => {
  it.each<[string, string, ProxyHeader]>([
    ["spec example, TCP4", "PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\n", tcp("TCP4", "192.168.0.1", "192.168.0.11", 56324, 443)],
    ["TCP4 extremes", "PROXY TCP4 255.255.255.255 0.0.0.0 65535 0\r\n", tcp("TCP4", "255.255.255.255", "0.0.0.0", 65535, 0)],
    [
      "TCP6, longest form (104 bytes)",
      "PROXY TCP6 ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n",
      tcp("TCP6", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 65535, 65535),
    ],
    ["TCP6 canonicalised (RFC 5952)", "PROXY TCP6 2001:DB8:0:0:0:0:0:1 ::1 4000 6514\r\n", tcp("TCP6", "2001:db8::1", "::1", 4000, 6514)],
    ["TCP6 IPv4-mapped", "PROXY TCP6 ::ffff:192.0.2.1 ::ffff:c000:202 1 2\r\n", tcp("TCP6", "::ffff:192.0.2.1", "::ffff:192.0.2.2", 1, 2)],
    ["UNKNOWN, short form", "PROXY UNKNOWN\r\n", base],
    ["UNKNOWN, worst case 107 bytes, rest ignored", "PROXY UNKNOWN ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n", base],
    ["UNKNOWN with garbage", "PROXY UNKNOWN whatever \x01\r\n", base],
  ])("%s", (_name, line, header) => {
    const payload = "<13>1 - host app - - - hi\n";
    expect(parseProxyHeader(ascii(line + payload))).toEqual({ status: "ok", header, consumed: line.length });
  });

  it.each<[string, string]>([
    ["leading zero in an IPv4 octet", "PROXY TCP4 192.168.0.01 192.168.0.11 56324 443\r\n"],
    ["IPv4 octet over 255", "PROXY TCP4 192.168.0.256 192.168.0.11 56324 443\r\n"],
    ["leading zero in a port", "PROXY TCP4 192.168.0.1 192.168.0.11 056324 443\r\n"],
    ["port over 65535", "PROXY TCP4 192.168.0.1 192.168.0.11 65536 443\r\n"],
    ["double space", "PROXY TCP4  192.168.0.1 192.168.0.11 56324 443\r\n"],
    ["field missing", "PROXY TCP4 192.168.0.1 192.168.0.11 56324\r\n"],
    ["field extra", "PROXY TCP4 192.168.0.1 192.168.0.11 56324 443 1\r\n"],
    ["IPv6 address with TCP4", "PROXY TCP4 ::1 ::1 1 2\r\n"],
    ["IPv4 address with TCP6", "PROXY TCP6 1.2.3.4 1.2.3.4 1 2\r\n"],
    ["IPv6 zone id", "PROXY TCP6 fe80::1%eth0 ::1 1 2\r\n"],
    ["IPv6 malformed", "PROXY TCP6 1::2::3 ::1 1 2\r\n"],
    ["unknown protocol", "PROXY TCP5 1.2.3.4 1.2.3.4 1 2\r\n"],
    ["lower-case protocol", "PROXY tcp4 1.2.3.4 1.2.3.4 1 2\r\n"],
    ["LF without CR", "PROXY TCP4 1.2.3.4 1.2.3.4 1 2\n"],
    ["CR without LF", "PROXY TCP4 1.2.3.4 1.2.3.4 1 2\rX"],
    ["no CRLF in 107 bytes", `PROXY UNKNOWN ${"f".repeat(93)}`],
    ["CRLF just past 107 bytes", `PROXY UNKNOWN ${"f".repeat(92)}\r\n`],
  ])("invalid: %s", (_name, line) => {
    expect(parseProxyHeader(ascii(line))).toMatchObject({ status: "invalid" });
  });

  it.each(["P", "PROXY", "PROXY ", "PROXY TCP4 192.168.0.1", "PROXY TCP4 1.2.3.4 1.2.3.4 1 2\r", `PROXY UNKNOWN ${"f".repeat(91)}`])(
    "incomplete: %j",
    (prefix) => {
      expect(parseProxyHeader(ascii(prefix))).toEqual({ status: "incomplete" });
    },
  );
});

describe("parseProxyHeader: v2 (spec §2.2)", () => {
  it("AWS NLB via PrivateLink: addresses, VPC endpoint ID, CRC32C checked", () => {
    const payload = ascii("<13>1 - h a - - - x\n");
    const result = parseProxyHeader(Buffer.concat([AWS_VPCE, payload]));
    expect(result).toMatchObject({
      status: "ok",
      consumed: AWS_VPCE.length,
      header: { version: 2, command: "PROXY", family: "TCP4", sourceIp: "172.31.7.113", sourcePort: 51442, destinationIp: "172.31.10.31", destinationPort: 80, awsVpceId: "vpce-08d2bf15fac5001c9" },
    });
    if (result.status !== "ok") return;
    expect(result.header.tlvs.map((t) => [t.type, t.value.length])).toEqual([[0x03, 4], [0xea, 23], [0x04, 36]]);
    expect(parseProxyHeader(AWS_CAPTURE)).toMatchObject({
      status: "ok",
      header: { sourceIp: "192.168.44.10", sourcePort: 52286, destinationIp: "192.168.44.7", destinationPort: 9243, awsVpceId: "vpce-00eafc458ec97b833" },
    });
  });

  it("a corrupted header fails its CRC32C", () => {
    const bad = Buffer.from(AWS_VPCE);
    bad[16] = 0x0a; // source 10.31.7.113 instead of 172.31.7.113
    expect(parseProxyHeader(bad)).toEqual({ status: "invalid", reason: "v2 CRC32C mismatch" });
  });

  it("CRC-32C check value (RFC 3720 B.4 / iSCSI): crc32c('123456789') = 0xE3069283", () => {
    expect(crc32c(ascii("123456789"))).toBe(0xe3069283);
  });

  const addr6 = hex("20010db8000000000000000000000001 00000000000000000000ffffc0000201 1f90 196a");
  const loop = (extra: Partial<ProxyHeader> = {}) => tcp("TCP4", "127.0.0.1", "127.0.0.1", 1, 2, { version: 2, ...extra });
  const v2base: ProxyHeader = { ...base, version: 2 };
  it.each<[string, Buffer, ProxyHeader]>([
    ["TCP4", v2(0x21, 0x11, hex("7f000001 0a000001 d431 196a")), tcp("TCP4", "127.0.0.1", "10.0.0.1", 54321, 6506, { version: 2 })],
    ["TCP6", v2(0x21, 0x21, addr6), tcp("TCP6", "2001:db8::1", "::ffff:192.0.2.1", 8080, 6506, { version: 2 })],
    ["TCP4 with an AUTHORITY TLV", v2(0x21, 0x11, hex("7f000001 7f000001 0001 0002 02 0007 6578616d706c65")), loop({ tlvs: [{ type: 2, value: ascii("example") }] })],
    ["LOCAL (health check), no address", v2(0x20, 0x00, Buffer.alloc(0)), { ...v2base, command: "LOCAL" }],
    ["LOCAL with an address block: skipped, not used", v2(0x20, 0x11, hex("7f000001 7f000001 0001 0002")), { ...v2base, command: "LOCAL" }],
    ["LOCAL ignores the family byte", v2(0x20, 0xff, hex("00")), { ...v2base, command: "LOCAL" }],
    ["PROXY, AF_UNSPEC", v2(0x21, 0x00, Buffer.alloc(0)), v2base],
    ["UDP over IPv4 falls back to UNSPEC", v2(0x21, 0x12, hex("7f000001 7f000001 0001 0002")), v2base],
    ["UNIX stream: no IP, the caller keeps the socket's", v2(0x21, 0x31, Buffer.alloc(216)), { ...v2base, family: "UNIX" }],
    ["AWS TLV with another subtype is kept, not read as an endpoint", v2(0x21, 0x11, hex("7f000001 7f000001 0001 0002 ea 0003 02 6162")), loop({ tlvs: [{ type: 0xea, value: hex("02 6162") }] })],
    ["AWS endpoint ID with bad characters is ignored", v2(0x21, 0x11, hex("7f000001 7f000001 0001 0002 ea 0003 01 2a2a")), loop({ tlvs: [{ type: 0xea, value: hex("01 2a2a") }] })],
  ])("%s", (_name, header, expected) => {
    const result = parseProxyHeader(Buffer.concat([header, ascii("17 <13>1 - - - - - -")]));
    expect(result).toEqual({ status: "ok", consumed: header.length, header: expected });
  });

  it.each<[string, Buffer]>([
    ["version 1 in a v2 signature", v2(0x11, 0x11, Buffer.alloc(12))],
    ["version 3", v2(0x31, 0x11, Buffer.alloc(12))],
    ["command 2", v2(0x22, 0x11, Buffer.alloc(12))],
    ["family 4", v2(0x21, 0x41, Buffer.alloc(12))],
    ["transport 3", v2(0x21, 0x13, Buffer.alloc(12))],
    ["length shorter than the IPv4 block", v2(0x21, 0x11, Buffer.alloc(8))],
    ["length shorter than the IPv6 block", v2(0x21, 0x21, Buffer.alloc(12))],
    ["TLV header cut short", v2(0x21, 0x11, hex("7f000001 7f000001 0001 0002 04 00"))],
    ["TLV value past the header", v2(0x21, 0x11, hex("7f000001 7f000001 0001 0002 04 0005 0000"))],
    ["CRC32C TLV of 2 bytes", v2(0x21, 0x11, hex("7f000001 7f000001 0001 0002 03 0002 0000"))],
    ["header over the cap", v2(0x21, 0x11, Buffer.alloc(PROXY_V2_MAX_BYTES))],
  ])("invalid: %s", (_name, header) => {
    expect(parseProxyHeader(header)).toMatchObject({ status: "invalid" });
  });

  it("a length over the cap is refused from the 16-byte preamble alone", () => {
    expect(parseProxyHeader(hex(`${SIG} 21 11 ffff`))).toMatchObject({ status: "invalid" });
  });

  it("waits for the whole header", () => {
    expect(parseProxyHeader(AWS_VPCE.subarray(0, 16))).toEqual({ status: "incomplete" });
    expect(parseProxyHeader(AWS_VPCE.subarray(0, AWS_VPCE.length - 1))).toEqual({ status: "incomplete" });
  });
});

describe("parseProxyHeader: not a PROXY header (for policy optional)", () => {
  it.each<[string, Buffer]>([
    ["TLS ClientHello", hex("16 0301 00c8 01 0000c4 0303")],
    ["TLS, first byte only", hex("16")],
    ["RFC 5424 over LF framing", ascii("<")],
    ["octet-counted frame", ascii("1")],
    ["octet-counted frame, more bytes", ascii("123 <13>1 -")],
    ["CRLF then a syslog line", ascii("\r\n<13>hello\r\n")],
    ["blank lines then syslog", ascii("\r\n\r\n<13>hello")],
    ["'PROXZ'", ascii("PROXZ TCP4")],
    ["'PROXY' without the space", ascii("PROXYTCP4")],
    ["v2 signature off at byte 12", hex("0d0a0d0a000d0a515549540b21")],
  ])("%s is absent", (_name, bytes) => {
    expect(parseProxyHeader(bytes)).toEqual({ status: "absent" });
  });

  it.each([[hex("")], [hex("0d")], [hex("0d0a0d0a00")], [hex(SIG)], [ascii("PRO")]])("a prefix of a signature is incomplete (%#)", (bytes) => {
    expect(parseProxyHeader(bytes)).toEqual({ status: "incomplete" });
  });
});
