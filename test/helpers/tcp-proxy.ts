/**
 * A TCP proxy a test can take down and bring back, to make a server (PostgreSQL) go away for the
 * code under test without touching the server itself.
 *
 * @remarks
 * `stop()` closes the listening port (new connections are refused) and destroys every proxied
 * connection (the client sees its connection end mid-query, as when the server restarts).
 * `start()` listens on the same port again.
 */
import { createServer, Socket, type Server } from 'node:net';

/** A running proxy to `127.0.0.1:<target port>`. */
export interface TcpProxy {
  /** The port clients connect to. */
  readonly port: number;
  /** Refuses new connections and cuts the open ones. Idempotent. */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  start(): Promise<void>;
}

/** Starts a proxy on a free port forwarding to `targetHost:targetPort`. */
export async function startTcpProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;

  const listen = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const s = createServer((client) => {
        const upstream = new Socket();
        sockets.add(client);
        sockets.add(upstream);
        const cut = (): void => {
          client.destroy();
          upstream.destroy();
          sockets.delete(client);
          sockets.delete(upstream);
        };
        client.on('error', cut).on('close', cut);
        upstream.on('error', cut).on('close', cut);
        upstream.connect(targetPort, targetHost, () => {
          client.pipe(upstream);
          upstream.pipe(client);
        });
      });
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => {
        const address = s.address();
        port = typeof address === 'object' && address !== null ? address.port : port;
        server = s;
        resolve();
      });
    });

  await listen();
  return {
    get port() {
      return port;
    },
    async stop() {
      const s = server;
      server = undefined;
      for (const socket of sockets) socket.destroy();
      sockets.clear();
      if (s !== undefined) await new Promise<void>((resolve) => s.close(() => resolve()));
    },
    start: listen,
  };
}
