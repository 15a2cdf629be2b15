/**
 * The routes of one mount point (the root, the admin API, one plugin), matched by a Hono router
 * that is rebuilt after routes come or go.
 */
import { Hono } from 'hono';
import { HttpInternalError, HttpNotFoundError, HttpRouteConflictError } from '../errors.js';
import { compileRoute, type CompiledRoute } from './compile-route.js';
import { errorResponse } from './error-response.js';
import type { AnyRouteDefinition } from './route-definition.js';
import { runRoute, type RouteRuntime } from './route-runner.js';

/** What the server passes each table's router with a request. */
export interface RequestEnv {
  readonly requestId: string;
  /** The client's address (after `trustProxy`). */
  readonly client: string;
}

/**
 * The routes of one owner under one prefix.
 *
 * @remarks
 * Hono's routers cannot drop a route once they have matched, so the table keeps its routes in a
 * map and builds a fresh `Hono` app on the first request after a change. Routes are matched
 * without regard to a trailing slash; a `GET` route answers `HEAD` too.
 */
export class RouteTable {
  readonly #owner: string;
  readonly #prefix: string;
  readonly #runtime: RouteRuntime;
  readonly #routes = new Map<string, CompiledRoute>();
  #app: Hono<{ Bindings: RequestEnv }> | undefined;

  /**
   * @param owner - Who mounts here (`plugin "orders"`, `the admin API`), quoted in errors.
   * @param prefix - Full path prefix of every route (base path included).
   */
  constructor(owner: string, prefix: string, runtime: RouteRuntime) {
    this.#owner = owner;
    this.#prefix = prefix;
    this.#runtime = runtime;
  }

  /**
   * Checks and mounts a route; returns a function that removes it (idempotent).
   *
   * @throws `XCORE_ERR_HTTP_ROUTE_INVALID` for a malformed definition, `XCORE_ERR_HTTP_ROUTE_CONFLICT`
   * when the same method and path (parameter names aside) is mounted already. Nothing changes then.
   */
  add(def: AnyRouteDefinition, check?: (route: CompiledRoute) => void): () => void {
    const route = compileRoute(def, this.#prefix, this.#owner);
    check?.(route);
    const taken = this.#routes.get(route.key);
    if (taken !== undefined) throw new HttpRouteConflictError(this.#owner, route.label, `${taken.label} is already mounted`);
    this.#routes.set(route.key, route);
    this.#app = undefined;
    return () => {
      if (this.#routes.get(route.key) !== route) return;
      this.#routes.delete(route.key);
      this.#app = undefined;
    };
  }

  /** Removes every route. */
  clear(): void {
    this.#routes.clear();
    this.#app = undefined;
  }

  /** The mounted routes, in mount order. */
  routes(): CompiledRoute[] {
    return [...this.#routes.values()];
  }

  /** Answers a request whose path is under this table's prefix (404 with the error shape when no route matches). */
  fetch(request: Request, env: RequestEnv): Response | Promise<Response> {
    this.#app ??= this.#build();
    return this.#app.fetch(request, env);
  }

  #build(): Hono<{ Bindings: RequestEnv }> {
    const app = new Hono<{ Bindings: RequestEnv }>({ strict: false });
    for (const route of this.#routes.values()) {
      app.on(route.method, route.fullPath, (c) => runRoute(route, { request: c.req.raw, params: c.req.param(), requestId: c.env.requestId, client: c.env.client }, this.#runtime));
    }
    app.notFound((c) => errorResponse(new HttpNotFoundError(c.req.method, new URL(c.req.url).pathname), c.env.requestId));
    app.onError((error, c) => {
      this.#runtime.logger.error({ err: error, requestId: c.env.requestId }, 'router failed');
      return errorResponse(new HttpInternalError(`${c.req.method} ${new URL(c.req.url).pathname}`, c.env.requestId, { cause: error }), c.env.requestId);
    });
    return app;
  }
}
