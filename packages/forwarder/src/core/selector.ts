import { SelectorError } from "../errors.js";

/**
 * rsyslog's traditional PRI filter ("selector"), e.g. `*.info;mail.none;authpriv.none`.
 *
 * Compiled the way rsyslog itself does (runtime/conf.c, DecodePRIFilter, inherited from
 * sysklogd): one 8-bit severity mask per facility, all empty at first, then each `;` part
 * applied left to right to the facilities it names, so later parts can add or remove:
 * - `fac.sev`   adds sev and every more severe level (numerically ≤ sev): `*.info` = 0–6;
 * - `fac.=sev`  adds only sev;            `fac.!=sev` removes only sev;
 * - `fac.!sev`  removes sev and every more severe level (`mail.*;mail.!err` keeps debug–warning;
 *               on its own, like in rsyslog, it removes from nothing and matches nothing);
 * - `fac.*`     sets all levels;          `fac.!*`    clears all levels;
 * - `fac.none`  clears all levels (so `*.*;mail.none` never matches mail), `fac.!none` sets all.
 * Facilities: names (case-insensitive; `security` is rsyslog's alias of auth, distinct from
 * authpriv), numbers 0–23, `*` for all, or a `,` list. Severities: names, with rsyslog's
 * aliases warn=warning, error=err, panic=emerg, or numbers 0–7.
 * https://www.rsyslog.com/doc/configuration/filters.html#selectors
 */
export interface Selector {
  readonly text: string;
  /** masks[facility] has bit `severity` set when the selector matches that pair. */
  readonly masks: Uint8Array;
}

export const FACILITY_COUNT = 24;
const ALL_SEVERITIES = 0xff;

const FACILITY_BY_NAME: Readonly<Record<string, number>> = {
  kern: 0, user: 1, mail: 2, daemon: 3, auth: 4, security: 4, syslog: 5, lpr: 6, news: 7,
  uucp: 8, cron: 9, authpriv: 10, ftp: 11, ntp: 12,
  local0: 16, local1: 17, local2: 18, local3: 19, local4: 20, local5: 21, local6: 22, local7: 23,
};

const SEVERITY_BY_NAME: Readonly<Record<string, number>> = {
  emerg: 0, panic: 0, alert: 1, crit: 2, err: 3, error: 3, warning: 4, warn: 4,
  notice: 5, info: 6, debug: 7,
};

export function parseSelector(text: string): Selector {
  const masks = new Uint8Array(FACILITY_COUNT);
  if (text.trim() === "") throw new SelectorError("empty selector", text, 1);
  if (/\s/.test(text)) throw new SelectorError("whitespace inside a selector", text, text.search(/\s/) + 1);
  let offset = 0;
  for (const part of text.split(";")) {
    applyPart(part, offset, text, masks);
    offset += part.length + 1;
  }
  return Object.freeze({ text, masks });
}

function applyPart(part: string, offset: number, text: string, masks: Uint8Array): void {
  const fail = (message: string, at: number): never => {
    throw new SelectorError(message, text, offset + at + 1);
  };
  if (part === "") fail("empty selector part (stray ';')", 0);
  const dot = part.indexOf(".");
  if (dot === -1) fail(`"${part}" has no ".": expected facility.severity`, 0);
  let priText = part.slice(dot + 1);
  let priAt = dot + 1;
  const negate = priText.startsWith("!");
  if (negate) [priText, priAt] = [priText.slice(1), priAt + 1];
  const single = priText.startsWith("=");
  if (single) [priText, priAt] = [priText.slice(1), priAt + 1];
  const pri = priText.toLowerCase();
  const severity = pri === "*" || pri === "none" ? null : severityNumber(pri);
  if (pri === "") fail("missing severity after '.'", priAt);
  if (pri !== "*" && pri !== "none" && severity === null) fail(`unknown severity "${priText}"`, priAt);
  if (single && pri === "*") fail("'=' cannot be combined with '*'", priAt);

  const apply = (f: number): void => {
    const current = masks[f]!;
    if (pri === "none") masks[f] = negate ? ALL_SEVERITIES : 0;
    else if (pri === "*") masks[f] = negate ? 0 : ALL_SEVERITIES;
    else if (single) masks[f] = negate ? current & ~(1 << severity!) : current | (1 << severity!);
    else {
      const upTo = (1 << (severity! + 1)) - 1; // severity and every more severe level
      masks[f] = negate ? current & ~upTo : current | upTo;
    }
  };

  let at = 0;
  for (const facText of part.slice(0, dot).split(",")) {
    if (facText === "") fail("empty facility name", at);
    if (facText === "*") for (let f = 0; f < FACILITY_COUNT; f++) apply(f);
    else {
      const facility = facilityNumber(facText.toLowerCase());
      if (facility === null) fail(`unknown facility "${facText}"`, at);
      apply(facility!);
    }
    at += facText.length + 1;
  }
}

function facilityNumber(name: string): number | null {
  if (/^\d{1,2}$/.test(name)) {
    const n = Number(name);
    return n < FACILITY_COUNT ? n : null;
  }
  return FACILITY_BY_NAME[name] ?? null;
}

function severityNumber(name: string): number | null {
  if (/^[0-7]$/.test(name)) return Number(name);
  return SEVERITY_BY_NAME[name] ?? null;
}

export function matchesSelector(selector: Selector, facility: number, severity: number): boolean {
  const mask = selector.masks[facility];
  return mask !== undefined && severity >= 0 && severity <= 7 && (mask & (1 << severity)) !== 0;
}
