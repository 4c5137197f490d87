/**
 * Framing events: expected bad input on a connection, reported as values (never thrown) to the
 * FrameHandler, which counts and logs them. The codes are stable and listed in docs/errors.md.
 */

export const FRAMING_CODES = {
  /** A frame was larger than maxFrameBytes; truncated or dropped by policy, the stream stays in sync. */
  frameTooLarge: "RCV_FRAME_TOO_LARGE",
  /** The connection closed inside a frame; what had arrived was still emitted (nothing is lost silently). */
  frameIncomplete: "RCV_FRAME_INCOMPLETE",
  /** A frame began with digits that are not a valid RFC 5425 MSG-LEN; see OctetCountInvalidEvent.recovery. */
  octetCountInvalid: "RCV_OCTET_COUNT_INVALID",
} as const;

export type FramingCode = (typeof FRAMING_CODES)[keyof typeof FRAMING_CODES];

/** RFC 6587 §3.4.1 octet counting, or §3.4.2 non-transparent framing (LF, or NUL, delimited). */
export type Framing = "octet-counting" | "non-transparent";

export type OversizePolicy = "truncate" | "drop";

export interface FrameTooLargeEvent {
  code: typeof FRAMING_CODES.frameTooLarge;
  framing: Framing;
  policy: OversizePolicy;
  maxFrameBytes: number;
  /** Octet counting: the declared MSG-LEN. Non-transparent: the bytes seen before the delimiter
   * (or before the connection closed), without the delimiter and a trailing CR. */
  frameBytes: number;
}

export interface FrameIncompleteEvent {
  code: typeof FRAMING_CODES.frameIncomplete;
  framing: Framing;
  /** Bytes of the frame that arrived before the close (after the MSG-LEN header, if any). */
  receivedBytes: number;
  /** The declared MSG-LEN for octet counting; null for non-transparent framing. */
  declaredBytes: number | null;
}

export interface OctetCountInvalidEvent {
  code: typeof FRAMING_CODES.octetCountInvalid;
  /**
   * - `zero`: MSG-LEN 0 (RFC 5425 requires NONZERO-DIGIT first): read as a non-transparent frame.
   * - `leading-zero`: e.g. "012 ": RFC 5425 forbids it, rsyslog accepts it as 12, and so do we.
   * - `too-long`: more than 10 digits (>= 10 GB, certainly not a MSG-LEN): non-transparent.
   * - `not-followed-by-space`: digits then anything but SP (e.g. a PRI-less line "2024-01-01 …"):
   *   non-transparent. rsyslog would consume that byte and read MSG-LEN octets; see framer.ts.
   */
  reason: "zero" | "leading-zero" | "too-long" | "not-followed-by-space";
  /** The digits seen (at most 11, only [0-9]: safe to log). */
  digits: string;
  /** How the frame was read after all. */
  recovery: Framing;
}

export type FramingEvent = FrameTooLargeEvent | FrameIncompleteEvent | OctetCountInvalidEvent;
