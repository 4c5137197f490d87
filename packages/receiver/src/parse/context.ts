/** What the connection knows about a frame; everything else comes from the frame itself. */
export interface FrameContext {
  /** ISO-8601 UTC with milliseconds (cached per millisecond by the caller). */
  receivedAt: string;
  /** Same instant as epoch milliseconds (RFC 3164 year inference uses it). */
  receivedAtMs: number;
  sourceIp: string | null;
  sourcePort: number | null;
  tlsPeer: string | null;
  /** Input name, lands in `listener`: "tls", "tcp", "relp", "relp-tls". */
  listener: string;
  /** The framer cut this frame at the max frame size. */
  truncated: boolean;
}

export interface ParseOptions {
  /** Time zone for RFC 3164 timestamps, which carry none: "UTC", an IANA name
   * ("Asia/Tokyo") or a fixed offset ("+09:00"). */
  defaultTimeZone: string;
}
