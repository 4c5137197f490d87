import { isIP } from "node:net";
import { UsageError } from "../errors.js";

/** What a fresh development server certificate names when none are given: loopback only. */
export const DEFAULT_SERVER_DNS_NAMES: readonly string[] = ["localhost"];
export const DEFAULT_SERVER_IP_ADDRESSES: readonly string[] = ["127.0.0.1", "::1"];
/** The client name the receiver's MTLS=1 mode permits (DESIGN §9: permitted peer aws-syslog). */
export const DEFAULT_CLIENT_CN = "aws-syslog";

/** RFC 5280 appendix A: ub-common-name INTEGER ::= 64. */
export const MAX_COMMON_NAME_LENGTH = 64;
/** RFC 1035 §2.3.4: a label is at most 63 octets, a name at most 255 (253 as text without the root dot). */
const MAX_LABEL_LENGTH = 63;
const MAX_DNS_NAME_LENGTH = 253;
const LABEL = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

/**
 * A DNS name for a SAN, lower-cased. RFC 1123 host-name syntax, plus a leading "*." wildcard
 * (RFC 6125 §6.4.3; rsyslog and Node match a wildcard against one left-most label only).
 */
export function normalizeDnsName(name: string, option = "--dns"): string {
  const lower = name.trim().toLowerCase().replace(/\.$/, "");
  const labels = lower.split(".");
  const [first, ...others] = labels;
  const ok = lower.length > 0 && lower.length <= MAX_DNS_NAME_LENGTH
    && (first === "*" ? others.length >= 2 : true)
    && labels.every((l, i) => (i === 0 && l === "*") || (l.length <= MAX_LABEL_LENGTH && LABEL.test(l)));
  if (!ok) {
    throw new UsageError(`${option} "${name}" is not a DNS name (letters, digits and hyphens in dot-separated labels; "*." only as the first label)`);
  }
  return lower;
}

export function normalizeIpAddress(ip: string): string {
  const bare = ip.trim().replace(/^\[(.*)\]$/, "$1");
  if (isIP(bare) === 0) throw new UsageError(`--ip "${ip}" is not an IPv4 or IPv6 address`);
  return bare;
}

/**
 * A client certificate's CN, which also becomes its SAN DNS name, so that x509/name matching
 * works the same whether a receiver looks at the SAN (rsyslog does first) or at the CN.
 */
export function normalizeClientName(cn: string): string {
  if (cn.length === 0 || cn.length > MAX_COMMON_NAME_LENGTH) {
    throw new UsageError(`--cn must be 1 to ${MAX_COMMON_NAME_LENGTH} characters (RFC 5280 ub-common-name), got ${cn.length}`);
  }
  if (cn.startsWith("*")) throw new UsageError(`--cn "${cn}": a client name cannot be a wildcard`);
  return normalizeDnsName(cn, "--cn");
}
