/**
 * Free TCP ports on the loopback interface, for servers that cannot report the port they bound
 * (Prometheus and the Pushgateway log the address they were given, not the one the kernel chose).
 */
import { createServer } from "node:net";

/**
 * Ask the kernel for an unused port on `host` and release it. Another process may take it before
 * ours binds, so callers that start a server retry with a fresh port when the bind fails.
 */
export function freePort(host = "127.0.0.1"): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen({ host, port: 0, exclusive: true }, () => {
      const address = server.address();
      if (address === null || typeof address === "string") {
        server.close();
        reject(new Error(`could not read the port bound on ${host}`));
        return;
      }
      server.close(() => resolve(address.port));
    });
  });
}
