import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Daemon } from "./daemon.js";
import { requireBinary } from "./binaries.js";
import type { TestPki } from "./pki.js";

export interface RsyslogReceiverOptions {
  pki: TestPki;
  workDir: string;
  outFile: string;
  port: number;
  tcpPort: number | undefined;
  mtls?: boolean;
  env?: Record<string, string>;
}

/** rsyslog's string form of a RainerScript array: ["a","b"]. */
const rsArray = (items: readonly string[]) => `[${items.map((s) => JSON.stringify(s)).join(",")}]`;

/**
 * rsyslogd standing in for the product receiver, with the same TLS contract: the reference
 * against which the sender side of the harness is proven (INTEROP_RECEIVER=rsyslog). Reads
 * the same knobs as bench/receiver.sh: MTLS, RECEIVER_TLS_AUTH_MODE, RECEIVER_TLS_PERMITTED_PEERS,
 * RECEIVER_TLS_FINGERPRINTS, RECEIVER_TCP_PORT. Writes one JSON object per record with the
 * schema-v1 field names rsyslog can fill (no tls_peer: rsyslog does not expose the peer name).
 */
export async function startRsyslogReceiver(opts: RsyslogReceiverOptions): Promise<Daemon> {
  const rsyslogd = requireBinary("rsyslogd");
  const env = opts.env ?? {};
  const authMode = env.RECEIVER_TLS_AUTH_MODE ?? (opts.mtls ? "x509/name" : "anon");
  const peers = (authMode === "x509/fingerprint" ? env.RECEIVER_TLS_FINGERPRINTS : env.RECEIVER_TLS_PERMITTED_PEERS)
    ?.split(",").map((s) => s.trim()).filter(Boolean) ?? (opts.mtls ? ["aws-syslog"] : []);
  const peerParam = peers.length > 0 ? ` permittedPeer=${rsArray(peers)}` : "";
  const conf = `
global(
  workDirectory="${opts.workDir}"
  maxMessageSize="64k"
  parser.escapeControlCharactersOnReceive="off"
  defaultNetstreamDriverCAFile="${opts.pki.ca}"
  defaultNetstreamDriverCertFile="${opts.pki.server.cert}"
  defaultNetstreamDriverKeyFile="${opts.pki.server.key}"
)
module(load="imtcp")
input(type="imtcp" name="tls" address="127.0.0.1" port="${opts.port}" ruleset="out"
  streamDriver.name="ossl" streamDriver.mode="1" streamDriver.authMode="${authMode}"${peerParam})
${opts.tcpPort !== undefined ? `input(type="imtcp" name="tcp" address="127.0.0.1" port="${opts.tcpPort}" ruleset="out")` : ""}
template(name="record" type="list" option.jsonf="on") {
  property(outname="v" name="$.v" format="jsonf" datatype="number")
  property(outname="received_at" name="timegenerated" dateFormat="rfc3339" format="jsonf")
  property(outname="timestamp" name="timereported" dateFormat="rfc3339" format="jsonf")
  property(outname="facility" name="syslogfacility" format="jsonf" datatype="number")
  property(outname="severity" name="syslogseverity" format="jsonf" datatype="number")
  property(outname="facility_name" name="syslogfacility-text" format="jsonf")
  property(outname="severity_name" name="syslogseverity-text" format="jsonf")
  property(outname="hostname" name="hostname" format="jsonf")
  property(outname="app_name" name="app-name" format="jsonf")
  property(outname="proc_id" name="procid" format="jsonf")
  property(outname="msg_id" name="msgid" format="jsonf")
  property(outname="structured_data" name="structured-data" format="jsonf")
  property(outname="message" name="$.msg" format="jsonf")
  property(outname="format" name="$.format" format="jsonf")
  property(outname="source_ip" name="fromhost-ip" format="jsonf")
  property(outname="listener" name="inputname" format="jsonf")
  property(outname="raw" name="rawmsg" format="jsonf")
}
ruleset(name="out") {
  set $.v = 1;
  # rsyslog keeps the SP after an RFC 3164 TAG as the first character of msg, and an RFC 5424
  # BOM as the first of MSG; the record's message has neither.
  set $.msg = replace(ltrim($msg), "\uFEFF", "");
  if $protocol-version == "1" then set $.format = "rfc5424"; else set $.format = "rfc3164";
  action(type="omfile" file="${opts.outFile}" template="record")
}
`;
  const confFile = join(opts.workDir, "rsyslog-receiver.conf");
  await writeFile(confFile, conf);
  return new Daemon(rsyslogd, ["-n", "-f", confFile, "-i", join(opts.workDir, "rsyslog-receiver.pid")], {
    name: `rsyslog receiver (${authMode})`,
  });
}
