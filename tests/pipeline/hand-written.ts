import { randomBytes } from "node:crypto";
import { archiveRouteName, routeRecord, type ForwarderConfig } from "@aws-syslog/forwarder";
import type { EmbeddedDefault } from "../support/embedded-default.js";
import { logFileOf } from "../support/log-files.js";
import { rfc3164, rfc5424, type Header } from "../support/messages.js";
import { opensslSend } from "../support/openssl-client.js";
import { recordOf } from "./message-plan.js";

/** One hand-written line and where it must land, written out by hand (not computed). */
export interface HandWritten {
  marker: string;
  /** Archive partition `route=`. */
  route: string;
  format: "rfc5424" | "rfc3164";
  /** Log files (relative to `<data>/cloudwatch`) that must hold it; none for an unrouted one. */
  files: string[];
  /** The same, as the forwarder's routing computes it (the test checks both agree). */
  computed: { route: string; files: string[] };
}

const h = (facility: number, severity: number, hostname: string, appName: string, procId: string): Header => ({
  facility, severity, hostname, appName, procId,
});

/**
 * Lines as operators type them into `openssl s_client`, one per default route and the edges of
 * the selectors: auth (4) is not authpriv (10) so it belongs in messages; local7 lands twice;
 * local0 with a non-JSON MSG still goes to the OneGate group; user.debug reaches no group; an
 * RFC 3164 line from an old relay. LF framing (the other test uses octet counting).
 */
export async function sendHandWritten(app: EmbeddedDefault, config: ForwarderConfig): Promise<HandWritten[]> {
  const id = randomBytes(3).toString("hex");
  const at = new Date(Math.floor(Date.now() / 1000) * 1000);
  const ts = at.toISOString();
  // Two digits, so no marker is a prefix of another (hand-…-1 of hand-…-10).
  const m = (i: number) => `hand-${id}-${String(i).padStart(2, "0")}`;
  const table: { header: Header; text: string; route: string; groups: string[]; rfc3164?: true; json?: true }[] = [
    { header: h(10, 6, "web-1", "sshd", "812"), text: `Accepted publickey for ec2-user from 192.0.2.10 port 50022 ssh2 ${m(1)}`, route: "secure", groups: ["/var/log/secure"] },
    { header: h(4, 6, "web-1", "sshd", "812"), text: `pam_unix(sshd:session): session opened for user ec2-user ${m(2)}`, route: "messages", groups: ["/var/log/messages"] },
    { header: h(3, 6, "db-1", "systemd", "1"), text: `Started Session 42 of User ec2-user. ${m(3)}`, route: "messages", groups: ["/var/log/messages"] },
    { header: h(2, 6, "mx-1", "postfix/smtpd", "2501"), text: `connect from unknown[192.0.2.20] ${m(4)}`, route: "maillog", groups: ["/var/log/maillog"] },
    { header: h(9, 6, "web-1", "CROND", "3001"), text: `(root) CMD (run-parts /etc/cron.hourly) ${m(5)}`, route: "cron", groups: ["/var/log/cron"] },
    { header: h(23, 6, "web-2", "kernel", "-"), text: `Linux version 6.1.112 ${m(6)}`, route: "messages", groups: ["/var/log/messages", "/var/log/boot.log"] },
    { header: h(16, 6, "onegate", "OneGate", "-"), text: JSON.stringify({ user: "alice@example.com", event: "login", note: m(7) }), route: "onegate", groups: ["/aws-syslog/onegate"], json: true },
    { header: h(16, 4, "onegate", "OneGate", "-"), text: `not JSON ${m(8)}`, route: "onegate", groups: ["/aws-syslog/onegate"] },
    { header: h(1, 7, "web-1", "app", "4242"), text: `debug detail ${m(9)}`, route: "unrouted", groups: [] },
    { header: h(1, 5, "web-1", "app", "4242"), text: `legacy relay line ${m(10)}`, route: "messages", groups: ["/var/log/messages"], rfc3164: true },
  ];
  const frames = table.map((t) => (t.rfc3164 ? rfc3164(t.header, at, t.text) : rfc5424(t.header, ts, t.text)));
  const result = await opensslSend({ port: app.port, ca: app.tls.ca, payload: frames.map((f) => `${f}\n`).join("") });
  if (result.code !== 0) throw new Error(`openssl s_client exited ${result.code ?? result.signal}:\n${result.stderr}`);
  return table.map((t, i) => {
    const record = recordOf({ label: "", header: t.header, ...(t.json ? { json: true as const } : {}) }, t.text, at);
    return {
      marker: m(i + 1),
      route: t.route,
      format: t.rfc3164 ? "rfc3164" : "rfc5424",
      files: t.groups.map((g) => logFileOf(g, t.header.hostname)),
      computed: {
        route: archiveRouteName(config.routes, record),
        files: routeRecord(config.routes, record).map((r) => logFileOf(r.logGroup, t.header.hostname)),
      },
    };
  });
}
