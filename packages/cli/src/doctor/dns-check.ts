import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import { failed, passed, type CheckResult } from "./check-result.js";

/** Addresses of a name, as the operating system resolves it (getaddrinfo, like a sender would). */
export type LookupAddresses = (host: string) => Promise<string[]>;

export const systemLookup: LookupAddresses = async (host) => (await lookup(host, { all: true })).map((a) => a.address);

/** The NLB's DNS name resolves. An NLB name has one address per zone (or its Elastic IPs). */
export async function checkDns(host: string, resolveHost: LookupAddresses = systemLookup): Promise<CheckResult> {
  if (isIP(host) !== 0) return passed("dns", `${host} is an IP address (nothing to resolve)`);
  try {
    const addresses = await resolveHost(host);
    if (addresses.length === 0) return failed("dns", `${host} resolves to no address`, "check the name (nlbDnsName in the outputs) and this machine's DNS");
    return passed("dns", `${host} resolves to ${addresses.join(", ")}`);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    const why = code === "ENOTFOUND" ? "no such name" : code === "EAI_AGAIN" ? "the resolver did not answer (EAI_AGAIN)" : code;
    return failed("dns", `${host} does not resolve: ${why}`, "check the name (nlbDnsName in the outputs, or --host), that the stack is deployed, and this machine's DNS");
  }
}
