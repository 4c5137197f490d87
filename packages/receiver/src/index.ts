export { loadConfig, CONFIG_KEYS, type ReceiverConfig, type AuthMode, type ProxyPolicy, type SinkKind } from "./config.js";
export { ReceiverError, ConfigError, TlsMaterialError, ListenError, EVENT_CODES } from "./errors.js";
export { startReceiver, type ReceiverHandle, type ReceiverOptions } from "./receiver.js";
export { Registry, Counter, Gauge } from "./metrics.js";
export type { Sink, Ack } from "./sinks/sink.js";
export type { FirehoseSinkConfig } from "./sinks/firehose/index.js";
export { FileSink } from "./sinks/file.js";
export { StagingSink } from "./sinks/staging.js";
