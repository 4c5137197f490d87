import { createServer } from "node:net";

/**
 * A TCP port on 127.0.0.1 that was free a moment ago: bound on port 0, then released. For
 * daemons that cannot report the port they bound (bench/receiver.sh takes `$PORT`). Another
 * process could take it in between; on a test machine that is rare and shows up as the daemon
 * failing to listen, with its log, not as a wrong count.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen({ port: 0, host: "127.0.0.1", exclusive: true }, () => {
      const address = server.address();
      if (address === null || typeof address === "string") {
        server.close();
        reject(new Error("no TCP address"));
        return;
      }
      server.close(() => resolve(address.port));
    });
  });
}
