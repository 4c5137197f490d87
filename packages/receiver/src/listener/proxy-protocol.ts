import { isIPv6, SocketAddress } from "node:net";

/**
 * HAProxy PROXY protocol v1 (text) and v2 (binary) header parser, incremental and pure:
 * https://www.haproxy.org/download/2.9/doc/proxy-protocol.txt (cited as "spec §n" below).
 * An AWS NLB sends v2 to targets when proxy_protocol_v2 is on, with PP2_TYPE_AWS (0xEA) carrying
 * the VPC endpoint ID behind PrivateLink:
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/network/edit-target-group-attributes.html#proxy-protocol
 *
 * Written here rather than taken from npm: proxy-protocol-js 4.0.6 (the maintained candidate)
 * parses complete buffers only (throws or returns null, so "need more bytes", "not PROXY" and
 * "malformed" cannot be told apart), ignores the v2 length field (everything after the
 * addresses, TLVs and payload alike, becomes "data", so the caller cannot tell where syslog
 * starts), and parses no TLVs. A header is read once per connection, so this parser favours
 * clarity; it still decides "absent" from the first byte that cannot belong to a header.
 */

/** spec §2.1: the longest v1 line, CRLF included ("PROXY UNKNOWN ffff:…:ffff … 65535 65535\r\n"). */
export const PROXY_V1_MAX_BYTES = 107;
/** Our cap on a whole v2 header (16-byte preamble + addresses + TLVs; the format allows 65,551).
 * An NLB sends under 100 bytes (addresses, CRC32C, VPC endpoint ID, NOOP padding) and HAProxy's
 * SSL TLVs a few hundred; anything longer is refused as invalid rather than buffered. */
export const PROXY_V2_MAX_BYTES = 4096;
/** The most bytes the caller needs to buffer before parseProxyHeader gives a final answer. */
export const PROXY_HEADER_MAX_BYTES = Math.max(PROXY_V1_MAX_BYTES, PROXY_V2_MAX_BYTES);

/** spec §2.2 */
const V2_SIGNATURE = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);
const V2_PREAMBLE_BYTES = 16;
const V1_PREFIX = Buffer.from("PROXY ", "latin1");
/** Address block size per v2 family nibble: UNSPEC, INET, INET6, UNIX. */
const V2_ADDRESS_BYTES = [0, 12, 36, 216] as const;
const PP2_TYPE_CRC32C = 0x03;
/** AWS: type 0xEA, first value byte PP2_SUBTYPE_AWS_VPCE_ID (0x01), then the ID in ASCII. */
export const PP2_TYPE_AWS = 0xea;
const PP2_SUBTYPE_AWS_VPCE_ID = 0x01;

export type ProxyFamily = "TCP4" | "TCP6" | "UNIX" | "UNSPEC";

export interface ProxyTlv {
  type: number;
  /** A copy: safe to keep after the connection's first chunk is gone. */
  value: Buffer;
}

export interface ProxyHeader {
  version: 1 | 2;
  /** LOCAL: the proxy's own connection (an NLB health check): use the socket's addresses. */
  command: "PROXY" | "LOCAL";
  /** UNSPEC covers v1 UNKNOWN, v2 AF_UNSPEC, UDP and LOCAL: no usable address (spec §2.2). */
  family: ProxyFamily;
  /** Canonical text (IPv6 as RFC 5952, via node:net); null unless family is TCP4 or TCP6. */
  sourceIp: string | null;
  sourcePort: number | null;
  destinationIp: string | null;
  destinationPort: number | null;
  /** v2 TLVs in wire order (not parsed for LOCAL); empty for v1. */
  tlvs: ProxyTlv[];
  /** The VPC endpoint ID (vpce-…) from PP2_TYPE_AWS, when the client came through PrivateLink. */
  awsVpceId: string | null;
}

export type ProxyParseResult =
  | { status: "incomplete" }
  | { status: "absent" }
  | { status: "invalid"; reason: string }
  | { status: "ok"; header: ProxyHeader; consumed: number };

const INCOMPLETE: ProxyParseResult = Object.freeze({ status: "incomplete" });
const ABSENT: ProxyParseResult = Object.freeze({ status: "absent" });
const invalid = (reason: string): ProxyParseResult => ({ status: "invalid", reason });

/**
 * Parses the bytes seen so far at the start of a connection (call again with more bytes on
 * "incomplete"). "absent" as soon as a byte rules out both signatures, so a TLS ClientHello
 * (0x16) or a syslog frame ("<", a digit) is answered after its first byte; once a signature
 * has matched, anything malformed is "invalid". Never throws.
 */
/** A header with no addresses yet (family UNSPEC); the parsers fill it in. */
export function emptyProxyHeader(version: 1 | 2, command: "PROXY" | "LOCAL"): ProxyHeader {
  return { version, command, family: "UNSPEC", sourceIp: null, sourcePort: null, destinationIp: null, destinationPort: null, tlvs: [], awsVpceId: null };
}

export function parseProxyHeader(buf: Buffer): ProxyParseResult {
  if (buf.length === 0) return INCOMPLETE;
  if (buf[0] === V2_SIGNATURE[0]) return parseV2(buf);
  if (buf[0] === V1_PREFIX[0]) return parseV1(buf);
  return ABSENT;
}

function parseV2(buf: Buffer): ProxyParseResult {
  const n = Math.min(buf.length, V2_SIGNATURE.length);
  for (let i = 1; i < n; i++) if (buf[i] !== V2_SIGNATURE[i]) return ABSENT;
  if (buf.length <= 12) return INCOMPLETE;
  const version = buf[12]! >> 4;
  const command = buf[12]! & 0x0f;
  if (version !== 2) return invalid(`v2 signature with version ${version}`);
  if (command > 1) return invalid(`v2 command ${command} (0 LOCAL, 1 PROXY)`);
  if (buf.length < V2_PREAMBLE_BYTES) return INCOMPLETE;
  const family = buf[13]! >> 4;
  const transport = buf[13]! & 0x0f;
  const total = V2_PREAMBLE_BYTES + buf.readUInt16BE(14);
  if (total > PROXY_V2_MAX_BYTES) return invalid(`v2 header of ${total} bytes exceeds ${PROXY_V2_MAX_BYTES}`);
  if (buf.length < total) return INCOMPLETE;
  const header = emptyProxyHeader(2, command === 0 ? "LOCAL" : "PROXY");
  // spec §2.2: for LOCAL the receiver "must discard the protocol block including the family".
  if (command === 0) return { status: "ok", header, consumed: total };
  if (family > 3 || transport > 2) return invalid(`v2 family/transport byte 0x${buf[13]!.toString(16).padStart(2, "0")}`);
  const addressBytes = V2_ADDRESS_BYTES[family as 0 | 1 | 2 | 3];
  if (total - V2_PREAMBLE_BYTES < addressBytes) return invalid(`v2 length ${total - V2_PREAMBLE_BYTES} shorter than the ${addressBytes}-byte address block`);
  const problem = readTlvs(buf, V2_PREAMBLE_BYTES + addressBytes, total, header);
  if (problem !== null) return invalid(problem);
  const a = V2_PREAMBLE_BYTES;
  if (family === 3) {
    header.family = "UNIX"; // paths, not IPs: the caller keeps the socket's addresses
  } else if (transport === 1 && family === 1) {
    header.family = "TCP4";
    header.sourceIp = `${buf[a]}.${buf[a + 1]}.${buf[a + 2]}.${buf[a + 3]}`;
    header.destinationIp = `${buf[a + 4]}.${buf[a + 5]}.${buf[a + 6]}.${buf[a + 7]}`;
    header.sourcePort = buf.readUInt16BE(a + 8);
    header.destinationPort = buf.readUInt16BE(a + 10);
  } else if (transport === 1 && family === 2) {
    header.family = "TCP6";
    header.sourceIp = ipv6Text(buf, a);
    header.destinationIp = ipv6Text(buf, a + 16);
    header.sourcePort = buf.readUInt16BE(a + 32);
    header.destinationPort = buf.readUInt16BE(a + 34);
  }
  // Otherwise AF_UNSPEC, or UDP (DGRAM): spec §2.2 lets a receiver fall back to UNSPEC.
  return { status: "ok", header, consumed: total };
}

/** Reads the TLVs in buf[from, to) into header; returns what is wrong, or null. */
function readTlvs(buf: Buffer, from: number, to: number, header: ProxyHeader): string | null {
  let p = from;
  let crcAt = -1;
  while (p < to) {
    if (to - p < 3) return `v2 TLV header cut short at byte ${p}`;
    const type = buf[p]!;
    const length = buf.readUInt16BE(p + 1);
    const start = p + 3;
    if (start + length > to) return `v2 TLV 0x${type.toString(16)} of ${length} bytes runs past the header`;
    header.tlvs.push({ type, value: Buffer.from(buf.subarray(start, start + length)) });
    if (type === PP2_TYPE_CRC32C) {
      if (length !== 4) return `v2 CRC32C TLV of ${length} bytes, expected 4`;
      crcAt = start;
    } else if (type === PP2_TYPE_AWS && length > 1 && buf[start] === PP2_SUBTYPE_AWS_VPCE_ID) {
      const id = buf.toString("latin1", start + 1, start + length);
      if (/^[A-Za-z0-9-]+$/.test(id)) header.awsVpceId = id;
    }
    p = start + length;
  }
  // spec §2.2.3: verify with the checksum field zeroed; a mismatch makes the connection invalid.
  if (crcAt >= 0) {
    const copy = Buffer.from(buf.subarray(0, to));
    const sent = copy.readUInt32BE(crcAt);
    copy.fill(0, crcAt, crcAt + 4);
    if (crc32c(copy) !== sent) return "v2 CRC32C mismatch";
  }
  return null;
}

function ipv6Text(buf: Buffer, at: number): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(buf.readUInt16BE(at + i).toString(16));
  return new SocketAddress({ address: groups.join(":"), family: "ipv6" }).address;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const PORT = /^(0|[1-9]\d{0,4})$/;

function parseV1(buf: Buffer): ProxyParseResult {
  const n = Math.min(buf.length, V1_PREFIX.length);
  for (let i = 1; i < n; i++) if (buf[i] !== V1_PREFIX[i]) return ABSENT;
  // spec §2.1: CRLF within the first 107 bytes; a lone CR or LF must not end the line.
  const searchEnd = Math.min(buf.length, PROXY_V1_MAX_BYTES - 1);
  let cr = -1;
  for (let i = V1_PREFIX.length; i < searchEnd; i++) {
    const c = buf[i];
    if (c === 0x0a) return invalid("v1 line ends in LF without CR");
    if (c === 0x0d) {
      cr = i;
      break;
    }
  }
  if (cr < 0) return buf.length >= PROXY_V1_MAX_BYTES - 1 ? invalid(`v1 line without CRLF in ${PROXY_V1_MAX_BYTES} bytes`) : INCOMPLETE;
  if (buf.length === cr + 1) return INCOMPLETE;
  if (buf[cr + 1] !== 0x0a) return invalid("v1 line has CR without LF");
  const consumed = cr + 2;
  const fields = buf.toString("latin1", V1_PREFIX.length, cr).split(" ");
  const header = emptyProxyHeader(1, "PROXY");
  // spec §2.1: for UNKNOWN "the receiver must ignore anything presented before the CRLF".
  if (fields[0] === "UNKNOWN") return { status: "ok", header, consumed };
  if (fields[0] !== "TCP4" && fields[0] !== "TCP6") return invalid(`v1 protocol ${JSON.stringify(fields[0]!.slice(0, 16))}`);
  if (fields.length !== 5) return invalid(`v1 ${fields[0]} line with ${fields.length - 1} fields, expected 4 separated by single spaces`);
  const [family, src, dst, sport, dport] = fields as [ProxyFamily, string, string, string, string];
  const ip = family === "TCP4" ? (s: string) => (IPV4.test(s) ? s : null) : v1Ipv6;
  const sourceIp = ip(src);
  const destinationIp = ip(dst);
  if (sourceIp === null || destinationIp === null) return invalid(`v1 ${family} address malformed`);
  const sourcePort = v1Port(sport);
  const destinationPort = v1Port(dport);
  if (sourcePort === null || destinationPort === null) return invalid("v1 port malformed");
  return { status: "ok", header: { ...header, family, sourceIp, sourcePort, destinationIp, destinationPort }, consumed };
}

/** Hex groups and colons only (a dotted IPv4 tail is tolerated; a %zone is not), canonicalised. */
function v1Ipv6(s: string): string | null {
  if (!/^[0-9A-Fa-f:.]+$/.test(s) || !isIPv6(s)) return null;
  return new SocketAddress({ address: s, family: "ipv6" }).address;
}

function v1Port(s: string): number | null {
  if (!PORT.test(s)) return null;
  const n = Number(s);
  return n <= 65535 ? n : null;
}

let crcTable: Uint32Array | undefined;

/** CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), RFC 4960 Appendix B. */
export function crc32c(data: Uint8Array): number {
  if (crcTable === undefined) {
    crcTable = new Uint32Array(256);
    for (let i = 0; i < 256; i++) {
      let c = i;
      for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
      crcTable[i] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i++) crc = crcTable[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
