export { createFirehoseSink, FirehoseSink, type FirehoseSinkDeps } from "./firehose-sink.js";
export { firehoseSinkConfigSchema, FIREHOSE_CONFIG_KEYS, type FirehoseSinkConfig } from "./config.js";
export { FIREHOSE_CODES, FirehoseSinkError, type FirehoseCode } from "./firehose-errors.js";
