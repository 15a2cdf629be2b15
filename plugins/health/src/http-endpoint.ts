/**
 * The optional HTTP endpoint of the `health` plugin (for load balancers and Kubernetes probes).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HealthSnapshot } from './health-registry.js';

/** A listening endpoint. */
export interface HealthEndpoint {
  /** The port actually bound (useful with `port: 0`). */
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Serves `GET <path>` with the snapshot as JSON: 200 when `ok` or `degraded`, 503 when `down`.
 *
 * @remarks Any other path or method answers 404; the server holds no keep-alive sockets open on close.
 */
export async function listenHealthEndpoint(options: { host: string; port: number; path: string; snapshot: () => HealthSnapshot }): Promise<HealthEndpoint> {
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if ((request.method !== 'GET' && request.method !== 'HEAD') || url.pathname !== options.path) {
      response.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
      return;
    }
    const snapshot = options.snapshot();
    response.writeHead(snapshot.status === 'down' ? 503 : 200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    response.end(request.method === 'HEAD' ? undefined : JSON.stringify(snapshot));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
