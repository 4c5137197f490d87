import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "./metrics.js";

/**
 * HTTP health and metrics for the load balancer and the operator:
 * - GET /health        200 {"status":"ok"} while accepting; 503 {"status":"draining"} once a stop
 *                      began, so the target group takes the task out before it closes listeners.
 * - GET /metrics       Prometheus text format.
 * - GET /metrics.json  the same counters as JSON.
 */
export interface HealthState {
  draining: boolean;
}

export function startHealthServer(host: string, port: number, state: HealthState, metrics: Registry): Promise<{ server: Server; address: AddressInfo }> {
  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD" }).end();
      return;
    }
    if (path === "/health") {
      const body = JSON.stringify({ status: state.draining ? "draining" : "ok" });
      res.writeHead(state.draining ? 503 : 200, { "content-type": "application/json" }).end(body);
    } else if (path === "/metrics") {
      recordMemory(metrics);
      res.writeHead(200, { "content-type": "text/plain; version=0.0.4" }).end(metrics.renderPrometheus());
    } else if (path === "/metrics.json") {
      recordMemory(metrics);
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(metrics.toJSON()));
    } else {
      res.writeHead(404).end();
    }
  });
  server.keepAliveTimeout = 5_000;
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host, port }, () => resolve({ server, address: server.address() as AddressInfo }));
  });
}

function recordMemory(metrics: Registry): void {
  const memory = process.memoryUsage();
  metrics.gauge("process_resident_memory_bytes", "Resident set size").set(memory.rss);
  metrics.gauge("nodejs_heap_used_bytes", "V8 heap in use").set(memory.heapUsed);
  metrics.gauge("nodejs_external_memory_bytes", "Memory outside the V8 heap (buffers)").set(memory.external);
}
