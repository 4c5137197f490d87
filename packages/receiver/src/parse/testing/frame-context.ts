import type { FrameContext } from "../context.js";

const RECEIVED_AT = "2026-11-23T10:00:00.123Z";

/** The connection side of a frame for parser tests: a fixed receive time and a TLS peer
 * address, with whatever a test needs changed. (Test fixture: not part of the build.) */
export function frameContext(overrides: Partial<FrameContext> = {}): FrameContext {
  return {
    receivedAt: RECEIVED_AT,
    receivedAtMs: Date.parse(RECEIVED_AT),
    sourceIp: "192.0.2.10",
    sourcePort: 51514,
    tlsPeer: null,
    listener: "tls",
    truncated: false,
    ...overrides,
  };
}
