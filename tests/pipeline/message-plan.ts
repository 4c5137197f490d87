import { FACILITY_NAMES, SCHEMA_VERSION, SEVERITY_NAMES, type SyslogRecord } from "@aws-syslog/record";
import {
  archiveRouteName, logStreamName, parseLogStreamTemplate, routeRecord, type ForwarderConfig,
} from "@aws-syslog/forwarder";
import { logFileOf } from "../support/log-files.js";
import { numberedBatch, rfc3164Timestamp, rfc5424, type Header } from "../support/messages.js";

/** One kind of message the sender mixes in: a facility.severity pair from a typical host. */
export interface Kind {
  label: string;
  header: Header;
  /** MSG is a OneGate-shaped JSON object. */
  json?: true;
}

const kind = (label: string, facility: number, severity: number, hostname: string, appName: string, procId: string, json?: true): Kind => ({
  label, header: { facility, severity, hostname, appName, procId }, ...(json ? { json } : {}),
});

/**
 * What a relay of an Amazon Linux fleet plus OneGate forwards. Where each lands follows from
 * the default table (`*.info;mail.none;authpriv.none;cron.none;local0.none /var/log/messages`,
 * `mail.*`, `authpriv.*`, `cron.*`, `local7.*`, `local0.*`): local7.info goes to boot.log AND
 * messages (archived once, under its first route), mail.debug still to maillog, user.debug to
 * no group at all (archive route "unrouted"). A PROCID of "-" gives the `app:` form of the line.
 */
export const KINDS: readonly Kind[] = [
  kind("authpriv.info", 10, 6, "web-1", "sshd", "812"),
  kind("user.info", 1, 6, "web-1", "app", "4242"),
  kind("daemon.notice", 3, 5, "db-1", "systemd", "1"),
  kind("mail.info", 2, 6, "mx-1", "postfix", "2501"),
  kind("mail.debug", 2, 7, "mx-1", "postfix", "2501"),
  kind("cron.info", 9, 6, "web-1", "CROND", "3001"),
  kind("local7.info", 23, 6, "web-2", "kernel", "-"),
  kind("local0.info", 16, 6, "onegate", "OneGate", "-", true),
  kind("user.debug", 1, 7, "web-1", "app", "4242"),
];

/** One numbered message and where it must land. */
export interface Planned {
  seq: number;
  kind: Kind;
  /** MSG as sent. */
  text: string;
  /** The RFC 5424 line handed to the sender. */
  line: string;
  /** Archive partition `route=` (the first matching route, else "unrouted"). */
  archiveRoute: string;
  /** Every log file (relative to `<data>/cloudwatch`) that must hold its event. */
  files: string[];
}

export interface Plan {
  tag: string;
  messages: Planned[];
  /** Expected records per archive route. */
  routeCounts: Record<string, number>;
  /** Expected event lines per syslog-format log file. */
  syslogLines: Map<string, string[]>;
  /** Seqs expected in each JSON log file. */
  jsonSeqs: Map<string, number[]>;
}

/** A OneGate-shaped MSG: the audit event as a JSON object; `note` carries tag and seq as text. */
export function oneGateMessage(seq: number, note: string): string {
  return JSON.stringify({
    time: "2026-11-23T12:00:00.000+09:00", tenant: "example", user: `user${seq}@example.com`,
    event: "login", result: "success", client_ip: `192.0.2.${seq % 250}`, seq, note,
  });
}

/** The schema-v1 record the receiver should make of a planned message (fields routing reads). */
export function recordOf(k: Kind, text: string, at: Date): SyslogRecord {
  const h = k.header;
  return {
    v: SCHEMA_VERSION, received_at: at.toISOString(), timestamp: at.toISOString(),
    facility: h.facility, severity: h.severity,
    facility_name: FACILITY_NAMES[h.facility]!, severity_name: SEVERITY_NAMES[h.severity]!,
    hostname: h.hostname, app_name: h.appName, proc_id: h.procId === "-" ? null : h.procId,
    msg_id: null, structured_data: null, message: text,
    message_json: k.json ? (JSON.parse(text) as Record<string, unknown>) : null,
    format: "rfc5424", source_ip: "127.0.0.1", source_port: null, tls_peer: null, listener: "tls", raw: null,
  };
}

/** RFC 5424 TIMESTAMP of `at` written in +09:00, so the UTC rendering of the file line is a
 * conversion, not a copy. */
export function plus9(at: Date): string {
  return new Date(at.getTime() + 9 * 3600_000).toISOString().replace("Z", "+09:00");
}

/**
 * `count` messages cycling through KINDS, all stamped `at`, with the expectation computed by
 * the forwarder's own routing (`routeRecord`, `archiveRouteName`, `logStreamName`) under
 * `config` (what the spawned process loads from the same environment).
 */
export function makePlan(count: number, at: Date, config: ForwarderConfig): Plan {
  const { tag, texts } = numberedBatch("pipeline", count, 100);
  const template = parseLogStreamTemplate(config.logStreamTemplate);
  const plan: Plan = { tag, messages: [], routeCounts: {}, syslogLines: new Map(), jsonSeqs: new Map() };
  texts.forEach((note, i) => {
    const seq = i + 1;
    const k = KINDS[i % KINDS.length]!;
    const text = k.json ? oneGateMessage(seq, note) : note;
    const record = recordOf(k, text, at);
    const archiveRoute = archiveRouteName(config.routes, record);
    plan.routeCounts[archiveRoute] = (plan.routeCounts[archiveRoute] ?? 0) + 1;
    const files: string[] = [];
    for (const route of routeRecord(config.routes, record)) {
      const file = logFileOf(route.logGroup, logStreamName(template, record, route.name));
      files.push(file);
      if (route.format === "json") push(plan.jsonSeqs, file, seq);
      else push(plan.syslogLines, file, syslogFileLine(k.header, at, text));
    }
    plan.messages.push({ seq, kind: k, text, line: rfc5424(k.header, plus9(at), text), archiveRoute, files });
  });
  return plan;
}

/** The classic line as written independently of the product: `Mmm dd HH:MM:SS host app[pid]: msg` (UTC). */
export function syslogFileLine(h: Header, at: Date, text: string): string {
  const tag = h.procId === "-" ? `${h.appName}:` : `${h.appName}[${h.procId}]:`;
  return `${rfc3164Timestamp(at)} ${h.hostname} ${tag} ${text}`;
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
