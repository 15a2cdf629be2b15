/**
 * The contract of the `http` service: what `getService('http')` gives a plugin or a service.
 */
import type { z } from 'zod';
import type { RouteDefinition } from '../routes/route-definition.js';

/** Where the server listens, once it does. */
export interface HttpAddress {
  /** The host as configured (`127.0.0.1`, `localhost`, `0.0.0.0`). */
  readonly host: string;
  /** The address bound (`127.0.0.1`, `::1`, `0.0.0.0`). */
  readonly address: string;
  /** The port bound: the configured one, or the free port picked for `port: 0`. */
  readonly port: number;
  /** True when serving HTTPS. */
  readonly tls: boolean;
  /** `http(s)://host:port` followed by the base path. */
  readonly url: string;
}

/**
 * The `http` service: mount typed, validated, authorised routes.
 *
 * @remarks
 * A plugin's view mounts under `<basePath>/plugins/<plugin>`; its routes are removed when the
 * plugin stops and mounted again by its next `onStart` (after a reload). A service (given the root
 * instance) mounts under `<basePath>` itself, outside the reserved `/admin`, `/plugins` and `/scheduler/run`
 * prefixes: the place for `/livez`, `/readyz`, `/health`, `/metrics`.
 *
 * Routes need a scope by default (`read` for GET, `operate` otherwise); give `auth: 'public'` to
 * open one. Input is validated by the route's zod schemas before the handler runs.
 *
 * @example
 * ```ts
 * const http = ctx.getService('http');
 * http.route({
 *   method: 'GET',
 *   path: '/orders/:id',
 *   params: z.object({ id: z.string() }),
 *   handler: ({ params }) => findOrder(params.id),
 * });
 * // GET <basePath>/plugins/orders/orders/42 with a token granting `read`
 * ```
 */
export interface HttpService {
  /**
   * Mounts a route and returns a function that removes it.
   *
   * @throws `XCORE_ERR_HTTP_ROUTE_INVALID` for a malformed definition, `XCORE_ERR_HTTP_ROUTE_CONFLICT`
   * when its method and path are taken (or, for a service, under /admin, /plugins or /scheduler/run),
   * `XCORE_ERR_HTTP_PLUGIN_STOPPED` from a stopped plugin's view.
   */
  route<
    P extends z.ZodType | undefined = undefined,
    Q extends z.ZodType | undefined = undefined,
    B extends z.ZodType | undefined = undefined,
    R extends z.ZodType | undefined = undefined,
  >(def: RouteDefinition<P, Q, B, R>): () => void;
  /** Where this view's routes are served (`http://127.0.0.1:8080/plugins/orders`); `undefined` before the server listens. */
  readonly url: string | undefined;
  /** The bound address; `undefined` before the server listens. */
  readonly address: HttpAddress | undefined;
}

declare module '@xcore/core' {
  interface XcoreServices {
    /** The http service (`services.http`): routes, auth, the admin API. */
    http: HttpService;
  }
}
