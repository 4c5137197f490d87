import type { SyslogRecord } from "@aws-syslog/record";
import { RouteTableError, SelectorError } from "../errors.js";
import { FACILITY_COUNT, matchesSelector, parseSelector, type Selector } from "./selector.js";

/** How a route's events are written: the classic syslog file line, or a JSON object. */
export type RouteFormat = "syslog" | "json";

export interface Route {
  /** Short stable name: archive partition `route=<name>`, metrics label. [a-z0-9_-]. */
  readonly name: string;
  readonly selector: Selector;
  readonly logGroup: string;
  readonly format: RouteFormat;
}

export interface RouteTable {
  readonly routes: readonly Route[];
}

/** Archive partition name for a record no route selects, so nothing is lost. */
export const UNROUTED = "unrouted";

/**
 * The default table: Amazon Linux's own /etc/rsyslog.conf rules, so the log groups hold what
 * the CloudWatch Agent used to ship from those files, plus OneGate (facility local0, JSON MSG)
 * in a JSON group of its own, excluded from /var/log/messages so it is not held twice.
 * (`*.emerg :omusrmsg:*` and `uucp,news.crit /var/log/spooler` are left out: no one reads them.)
 */
export const DEFAULT_ROUTES_TEXT = `\
# selector                                            log group              options
*.info;mail.none;authpriv.none;cron.none;local0.none   /var/log/messages
authpriv.*                                             /var/log/secure
mail.*                                                 -/var/log/maillog
cron.*                                                 /var/log/cron
local7.*                                               /var/log/boot.log
local0.*                                               /aws-syslog/onegate    name=onegate format=json
`;

/** CloudWatch Logs log group names: 1–512 of [.-_/#A-Za-z0-9].
 * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html */
const LOG_GROUP_NAME = /^[.\-_/#A-Za-z0-9]{1,512}$/;
const ROUTE_NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/**
 * Parses a routing table in rsyslog.conf's selector-line syntax, one rule per line:
 * `<selector> <log group> [name=<route name>] [format=syslog|json]`.
 * `#` starts a comment line (not a trailing comment: `#` is legal in a log group name); a
 * leading `-` on the target (rsyslog's "don't sync") is ignored so lines can be pasted from
 * rsyslog.conf. The name defaults to the group's last path segment without its extension
 * (`/var/log/boot.log` → `boot`). Every problem names its line.
 */
export function parseRoutes(text: string): RouteTable {
  const routes: Route[] = [];
  const names = new Set<string>([UNROUTED]);
  text.split(/\r?\n/).forEach((rawLine, index) => {
    const lineNumber = index + 1;
    const line = rawLine.trim();
    if (line === "" || line.startsWith("#")) return;
    const [selectorText, target, ...options] = line.split(/\s+/);
    if (target === undefined) throw new RouteTableError(`"${line}" has no log group after the selector`, lineNumber);
    let selector: Selector;
    try {
      selector = parseSelector(selectorText!);
    } catch (err) {
      const message = err instanceof SelectorError ? err.message : String(err);
      throw new RouteTableError(message, lineNumber, { cause: err });
    }
    const logGroup = target.startsWith("-") ? target.slice(1) : target;
    if (!LOG_GROUP_NAME.test(logGroup)) {
      throw new RouteTableError(`"${logGroup}" is not a valid log group name (1–512 of . - _ / # A-Z a-z 0-9)`, lineNumber);
    }
    let name = defaultRouteName(logGroup);
    let format: RouteFormat = "syslog";
    for (const option of options) {
      const [key, value] = option.split("=", 2);
      if (key === "name" && value !== undefined) name = value;
      else if (key === "format" && (value === "syslog" || value === "json")) format = value;
      else throw new RouteTableError(`unknown option "${option}" (expected name=<route> or format=syslog|json)`, lineNumber);
    }
    if (!ROUTE_NAME.test(name)) {
      throw new RouteTableError(`route name "${name}" must match ${ROUTE_NAME.source} (add name=<route>)`, lineNumber);
    }
    if (names.has(name)) throw new RouteTableError(`route name "${name}" is used twice or reserved`, lineNumber);
    names.add(name);
    routes.push(Object.freeze({ name, selector, logGroup, format }));
  });
  return Object.freeze({ routes: Object.freeze(routes) });
}

function defaultRouteName(logGroup: string): string {
  const last = logGroup.split("/").filter((s) => s !== "").pop() ?? "";
  return last.replace(/\.[^.]*$/, "").toLowerCase();
}

export const DEFAULT_ROUTES: RouteTable = parseRoutes(DEFAULT_ROUTES_TEXT);

/**
 * Routing decided once per (facility, severity) pair, not per record: 24 × 8 = 192 entries,
 * each the frozen list of matching routes and the archive route name. Built on first use of a
 * table (tables are frozen, so the lookup stays right) and kept beside it.
 */
interface RouteLookup {
  readonly matches: ReadonlyArray<readonly Route[]>;
  readonly archiveNames: readonly string[];
}

const lookups = new WeakMap<RouteTable, RouteLookup>();
const NO_ROUTES: readonly Route[] = Object.freeze([]);

function routeLookup(table: RouteTable): RouteLookup {
  let lookup = lookups.get(table);
  if (lookup === undefined) {
    const matches: (readonly Route[])[] = [];
    const archiveNames: string[] = [];
    for (let facility = 0; facility < FACILITY_COUNT; facility++) {
      for (let severity = 0; severity < 8; severity++) {
        const matched = table.routes.filter((route) => matchesSelector(route.selector, facility, severity));
        matches.push(matched.length === 0 ? NO_ROUTES : Object.freeze(matched));
        archiveNames.push(matched[0]?.name ?? UNROUTED);
      }
    }
    lookup = { matches, archiveNames };
    lookups.set(table, lookup);
  }
  return lookup;
}

/** Index of a (facility, severity) pair in a RouteLookup, or -1 outside 0–23 / 0–7. */
function priIndex(facility: number, severity: number): number {
  return facility >= 0 && facility < FACILITY_COUNT && severity >= 0 && severity <= 7 && Number.isInteger(facility) && Number.isInteger(severity)
    ? facility * 8 + severity : -1;
}

/** Every route whose selector matches the record (like rsyslog, a record may go to several).
 * The array is shared and frozen: do not modify it. */
export function routeRecord(table: RouteTable, record: SyslogRecord): readonly Route[] {
  const i = priIndex(record.facility, record.severity);
  return i === -1 ? NO_ROUTES : routeLookup(table).matches[i]!;
}

/** The archive holds each record once, under its first matching route, else "unrouted". */
export function archiveRouteName(table: RouteTable, record: SyslogRecord): string {
  const i = priIndex(record.facility, record.severity);
  return i === -1 ? UNROUTED : routeLookup(table).archiveNames[i]!;
}

/** Route names the archive can hold (for the Glue partition projection enum). */
export function archiveRouteNames(table: RouteTable): string[] {
  return [...table.routes.map((r) => r.name), UNROUTED];
}
