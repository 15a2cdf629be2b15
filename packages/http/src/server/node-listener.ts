/**
 * The Node.js side of the server: an HTTP or HTTPS server running a fetch handler through
 * `@hono/node-server`, bound and closed with coded errors and a deadline.
 */
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { getRequestListener, type Http2Bindings, type HttpBindings } from '@hono/node-server';
import { setLongTimeout } from '@xcore/core';
import { HttpListenFailedError } from '../errors.js';

/** The fetch handler the server runs, with the Node request bindings. */
export type FetchHandler = (request: Request, env: HttpBindings | Http2Bindings) => Response | Promise<Response>;

/** How to listen. */
export interface ListenOptions {
  readonly host: string;
  readonly port: number;
  /** PEM certificate chain and key; plain HTTP without. */
  readonly tls?: { readonly cert: string; readonly key: string };
  /** Answers requests Node can parse but the adapter cannot turn into a `Request` (bad Host header). */
  readonly onBadRequest: (error: unknown) => Response;
  /** Writes the raw answer to a request Node cannot parse at all (bytes that are not HTTP). */
  readonly onClientError: (socket: Socket, error: Error) => void;
}

/** A listening server. */
export interface Listening {
  readonly server: Server;
  readonly address: AddressInfo;
}

/**
 * Creates the server and binds it; rejects with `XCORE_ERR_HTTP_LISTEN_FAILED` when it cannot.
 *
 * @remarks
 * The adapter is told not to replace the global `Request` and `Response` (its default), which would
 * change them for every plugin in the process.
 */
export function listen(fetch: FetchHandler, options: ListenOptions): Promise<Listening> {
  const listener = getRequestListener(fetch, { overrideGlobalObjects: false, errorHandler: options.onBadRequest });
  const server: Server = options.tls === undefined ? createHttpServer(listener) : createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, listener);
  server.on('clientError', (error, socket) => options.onClientError(socket as Socket, error));
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      server.close();
      const reason = error.code === 'EADDRINUSE' ? 'the address is in use' : error.code === 'EACCES' ? 'permission denied' : error.message;
      reject(new HttpListenFailedError(`${options.host}:${options.port}`, reason, { cause: error }));
    };
    server.once('error', onError);
    server.listen(options.port, options.host, () => {
      server.off('error', onError);
      resolve({ server, address: server.address() as AddressInfo });
    });
  });
}

/**
 * Stops accepting connections, lets requests in progress finish until `deadlineMs`, then cuts
 * every connection that is left. Resolves once the server is closed.
 */
export function close(server: Server, deadlineMs: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setLongTimeout(() => server.closeAllConnections(), Math.max(0, deadlineMs));
    server.close(() => {
      timer.clear();
      resolve();
    });
    server.closeIdleConnections();
  });
}
