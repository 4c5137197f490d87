/**
 * A plain (TCP or RELP) listener whose first bytes are a TLS handshake record (0x16, then
 * version major 0x03: RFC 8446 §5.1) has a sender configured for TLS on the wrong port: parsing
 * the ClientHello as syslog would only produce garbage records, so the connection is refused.
 */
export function startsWithTlsHandshake(chunk: Buffer): boolean {
  return chunk[0] === 0x16 && chunk[1] === 0x03;
}

export function tlsOnPlainPortReason(protocol: "TCP syslog" | "RELP"): string {
  return `TLS handshake on the plain ${protocol} port (is the sender configured for TLS?)`;
}
