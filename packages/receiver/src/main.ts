#!/usr/bin/env node
import { pino } from "pino";
import { loadConfig } from "./config.js";
import { ReceiverError } from "./errors.js";
import { startReceiver } from "./receiver.js";

/**
 * The receiver process: configuration from the environment, then signals.
 * SIGTERM/SIGINT: graceful stop (stop accepting, drain, flush), exit 0 when nothing was lost,
 * 1 otherwise. SIGHUP: reload TLS certificate, key, CA and fingerprint file without dropping connections.
 */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(78); // EX_CONFIG
  }
  const logger = pino({ level: config.logLevel, base: { service: "receiver" } });
  let receiver;
  try {
    receiver = await startReceiver(config, { logger });
  } catch (err) {
    logger.fatal({ event: "start_failed", code: (err as ReceiverError).code, err }, (err as Error).message);
    process.exit(1);
  }
  const onStop = (signal: string) => {
    logger.info({ event: "signal", signal }, `${signal} received`);
    receiver.stop().then(
      (complete) => process.exit(complete ? 0 : 1),
      (err) => {
        logger.fatal({ event: "stop_failed", err }, "stop failed");
        process.exit(1);
      },
    );
  };
  process.once("SIGTERM", () => onStop("SIGTERM"));
  process.once("SIGINT", () => onStop("SIGINT"));
  process.on("SIGHUP", () => receiver.reloadTls());
}

void main();
