import type { ReceiverConfig } from "../config.js";
import type { ReceiverEvents } from "../events.js";
import { FileSink } from "./file.js";
import type { Sink } from "./sink.js";
import { StagingSink } from "./staging.js";

/** The sink the config names (RECEIVER_SINK). */
export async function createSink(config: ReceiverConfig, events: ReceiverEvents): Promise<Sink> {
  switch (config.sink) {
    case "file":
      return FileSink.open(config.outFile!, events, config.bufferBytes);
    case "staging":
      return new StagingSink(config.stagingDir!, events, {
        budgetBytes: config.bufferBytes,
        maxObjectBytes: config.stagingMaxObjectBytes,
        flushMs: config.stagingFlushMs,
      });
    case "firehose": {
      // Loaded only when used: the AWS SDK adds ~20 MiB of resident memory to the other sinks.
      const { createFirehoseSink, firehoseSinkConfigSchema } = await import("./firehose/index.js");
      return createFirehoseSink(
        firehoseSinkConfigSchema.parse({
          streams: config.firehoseStreams,
          lingerMs: config.firehoseLingerMs,
          ackLingerMs: config.firehoseAckLingerMs,
          recordMaxBytes: config.firehoseRecordMaxBytes,
          gzipLevel: config.firehoseGzipLevel,
          maxInFlight: config.firehoseMaxInFlight,
          bufferBytes: config.bufferBytes,
          maxRetries: config.firehoseMaxRetries,
          retryBaseMs: config.firehoseRetryBaseMs,
          retryMaxMs: config.firehoseRetryMaxMs,
          requestTimeoutMs: config.firehoseRequestTimeoutMs,
          closeTimeoutMs: config.firehoseCloseTimeoutMs,
        }),
        { logger: events.logger, metrics: events.metrics },
      );
    }
  }
}
