// Public API of @aws-syslog/forwarder: the pure core, the adapters and the configuration.
export * from "./errors.js";
export { loadConfig, forwarderConfig, type ForwarderConfig } from "./config.js";
export { readStagingObject, type StagingLine } from "./core/staging-object.js";
export { parseSelector, matchesSelector, type Selector } from "./core/selector.js";
export {
  parseRoutes, routeRecord, archiveRouteName, archiveRouteNames, DEFAULT_ROUTES, DEFAULT_ROUTES_TEXT, UNROUTED,
  type Route, type RouteTable, type RouteFormat,
} from "./core/route.js";
export { parseLogStreamTemplate, logStreamName, type LogStreamTemplate } from "./core/log-stream-name.js";
export { s3ObjectsFromSqsRecord, type S3ObjectRef } from "./handlers/s3-event.js";
