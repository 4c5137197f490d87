/**
 * The one interface every sink implements (file, local staging, Firehose).
 *
 * A sink takes serialised schema-v1 records (one NDJSON line each, trailing LF included),
 * so a record is serialised exactly once, on the connection that read it.
 *
 * Backpressure is pull-based, like a Node Writable: `write` returns false once the sink
 * holds more than its byte budget; the caller then stops reading its socket and waits for
 * "drain". TCP then pushes back to the sender, whose own queue holds the data.
 *
 * Acknowledgement: `ack`, when given, is called exactly once per line: with null once the
 * line is stored (file written, Firehose entry accepted), or with an error once the sink has
 * given up on it for good. RELP answers `rsp 200` from this callback, never on mere receipt.
 */
export type Ack = (error: Error | null) => void;

export interface Sink {
  readonly name: string;
  /** Queues one NDJSON line. False when over the byte budget: pause and wait for "drain". */
  write(line: string, ack?: Ack): boolean;
  /** Resolves once everything written before the call is stored or failed for good. */
  flush(): Promise<void>;
  /**
   * Hint from a writer that is waiting only on acks (a RELP sender whose window is full sends
   * nothing until it hears `rsp 200`): store what is buffered sooner than the sink's own
   * linger would, within the sink's own bound on how small that makes its batches. Optional:
   * a sink that stores at once (file) has nothing to hurry.
   */
  flushSoon?(): void;
  /** Flushes, then releases files, timers and clients. No write is accepted after. A sink that
   * can give up (Firehose) acks what is still unstored with an error after `timeoutMs`. */
  close(timeoutMs?: number): Promise<void>;
  /** Bytes accepted by `write` and not yet stored or failed. */
  readonly pendingBytes: number;
  on(event: "drain", listener: () => void): this;
  off(event: "drain", listener: () => void): this;
}
