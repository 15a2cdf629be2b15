/**
 * The http service's root instance: one server per host, dispatching each request to the route
 * table of the admin API, of a plugin, or of the host's own routes.
 */
import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import type { EventBus, PluginAwareService, PluginOperatorView } from '@xcore/core';
import type { SchedulerOperatorView } from '@xcore/scheduler';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { DashboardAssets } from '@xcore/dashboard';
import { AccessGuard, type Credentials } from '../auth/access-guard.js';
import { SessionStore } from '../auth/sessions.js';
import { dashboardRoutes } from '../dashboard/dashboard-routes.js';
import { FailureLimiter } from '../auth/failure-limiter.js';
import { AuditLog } from '../audit/audit-log.js';
import { ADMIN_PREFIX, adminRoutes, type AdminDeps } from '../admin/admin-routes.js';
import { EventStreams } from '../admin/event-stream.js';
import { runAliasRoute } from '../admin/scheduler-routes.js';
import { metricsRoute } from './metrics-route.js';
import type { HttpConfig } from '../config/http-config.js';
import { HttpAuthNoneRefusedError, HttpBadRequestError, HttpBodyTooLargeError, HttpInternalError, HttpNotFoundError, HttpRouteConflictError } from '../errors.js';
import { isLoopbackAddress } from '../net/addresses.js';
import { clientAddress, trustPolicy, type TrustPolicy } from '../net/client-address.js';
import { openApiDocument, type JsonObject } from '../openapi/openapi-document.js';
import type { CompiledRoute } from '../routes/compile-route.js';
import { errorBody, errorResponse } from '../routes/error-response.js';
import type { AnyRouteDefinition, RouteDefinition } from '../routes/route-definition.js';
import type { RouteRuntime } from '../routes/route-runner.js';
import { RouteTable } from '../routes/route-table.js';
import { PluginHttp, pluginPrefix } from '../service/plugin-http.js';
import type { HttpAddress, HttpService } from '../service/http-service.js';
import { close, listen, type Listening } from './node-listener.js';

/** What an {@link HttpServer} is built from. */
export interface HttpServerOptions {
  /** The validated `services.http` section. */
  readonly config: HttpConfig;
  readonly logger: Logger;
  /** Where audit events go. */
  readonly events?: EventBus;
  /** How credentials are checked (built from `config.auth`, with key files read). */
  readonly credentials: Credentials;
  /** PEM certificate and key, read from `config.tls`. */
  readonly tls?: { readonly cert: string; readonly key: string };
  /** Names of the registered services, for `GET /admin/v1/services`. @defaultValue none */
  readonly serviceNames?: () => string[];
  /** A registered service by name, for its health. @defaultValue none */
  readonly service?: (name: string) => unknown;
  /** The scheduler's operator view, for the job routes (read on each request). @defaultValue none: they answer 503 */
  readonly scheduler?: () => SchedulerOperatorView | undefined;
  /** The scheduler's metrics, for `GET /metrics` (read on each request). @defaultValue none: it answers 503 */
  readonly metrics?: () => { prometheus(): Promise<string> } | undefined;
  /** The kernel's plugin view, for the plugin routes. @defaultValue none: they answer 503 */
  readonly plugins?: PluginOperatorView;
  /** Keep-alive period of the event stream, ms. @defaultValue `15000` */
  readonly keepAliveMs?: number;
  /** Title of the OpenAPI document. @defaultValue `'xcore admin API'` */
  readonly title?: string;
  /** The clock of the failure limiter. @defaultValue `Date.now` */
  readonly now?: () => number;
}

const RESERVED = ['/admin', '/plugins', '/scheduler/run'];

/** True when `path` is `prefix` or below it. */
function under(path: string, prefix: string): boolean {
  return prefix === '' || path === prefix || path.startsWith(`${prefix}/`);
}

/** `decodeURI`, or the text as is when it holds a malformed escape. */
function tryDecode(path: string): string {
  try {
    return decodeURI(path);
  } catch {
    return path;
  }
}

/**
 * The http service as the kernel holds it.
 *
 * @remarks
 * Requests are dispatched by path: `<basePath>/admin/v1/...` to the admin API, `<basePath>/plugins/
 * <name>/...` to that plugin's routes (a 404 once it stopped), anything else to the routes services
 * mounted with {@link HttpServer.route}. A body announced larger than `bodyLimit` is refused with
 * 413 before any route runs. Every answer carries `x-request-id`; every error answer has the one
 * JSON error shape.
 */
export class HttpServer implements HttpService, PluginAwareService {
  readonly #config: HttpConfig;
  readonly #logger: Logger;
  readonly #runtime: RouteRuntime;
  readonly #trust: TrustPolicy;
  readonly #tls: HttpServerOptions['tls'];
  readonly #root: RouteTable;
  readonly #admin: RouteTable;
  readonly #plugins = new Map<string, PluginHttp>();
  readonly #pluginTables = new Map<string, RouteTable>();
  readonly #title: string;
  /** Open event streams (`GET /admin/v1/events`): ended when the server stops. */
  readonly #streams = new EventStreams();
  /** The APScheduler-style alias `POST /scheduler/run/{jobId}`, listed in the OpenAPI document. */
  readonly #alias: AnyRouteDefinition;
  #listening: Listening | undefined;
  #address: HttpAddress | undefined;
  /** Set once `stop` began: answers then ask clients to close their connection. */
  #closing = false;
  /** Dashboard sessions (in memory). */
  readonly #sessions: SessionStore;
  /** The dashboard's built files, read on first use. */
  #assets: DashboardAssets | undefined;

  constructor(options: HttpServerOptions) {
    const { config } = options;
    this.#config = config;
    this.#logger = options.logger;
    this.#trust = trustPolicy(config.trustProxy);
    this.#tls = options.tls;
    this.#title = options.title ?? 'xcore admin API';
    const limiter = new FailureLimiter({ failures: config.rateLimit.failures, windowMs: config.rateLimit.window, maxClients: config.rateLimit.maxClients });
    const { dashboard } = config;
    this.#sessions = new SessionStore({ ttlMs: dashboard.sessionTtl, idleMs: dashboard.idleTimeout, maxSessions: dashboard.maxSessions, ...(options.now === undefined ? {} : { now: options.now }) });
    this.#runtime = {
      guard: new AccessGuard(options.credentials, limiter, options.now, { sessions: this.#sessions, trustForwardedHost: config.trustProxy !== false }),
      bodyLimit: config.bodyLimit,
      logger: options.logger,
      audit: new AuditLog(options.logger, options.events),
    };
    this.#root = new RouteTable('the host', config.basePath, this.#runtime);
    this.#admin = new RouteTable('the admin API', `${config.basePath}${ADMIN_PREFIX}`, this.#runtime);
    const deps: AdminDeps = {
      serviceNames: options.serviceNames ?? (() => []),
      service: options.service ?? (() => undefined),
      openApi: () => this.openApi(),
      scheduler: options.scheduler ?? (() => undefined),
      plugins: () => options.plugins,
      ...(options.events === undefined ? {} : { events: options.events }),
      streams: this.#streams,
      ...(options.keepAliveMs === undefined ? {} : { keepAliveMs: options.keepAliveMs }),
      runsUrl: (requestId) => `${config.basePath}${ADMIN_PREFIX}/runs/${encodeURIComponent(requestId)}`,
    };
    for (const def of adminRoutes(deps)) this.#admin.add(def);
    this.#alias = runAliasRoute(deps) as AnyRouteDefinition;
    this.#root.add(this.#alias);
    if (config.metrics.enabled) this.#root.add(metricsRoute(config.metrics.auth, options.metrics ?? (() => undefined)) as AnyRouteDefinition);
    if (dashboard.enabled) {
      const routes = dashboardRoutes({
        guard: this.#runtime.guard,
        sessions: this.#sessions,
        basePath: config.basePath,
        tls: () => this.#tls !== undefined,
        assets: () => (this.#assets ??= DashboardAssets.load()),
      });
      for (const def of routes) this.#root.add(def);
    }
  }

  /**
   * Mounts a host route under the base path (not under `/admin`, `/plugins` or `/scheduler/run`).
   *
   * @remarks
   * For services: health and metrics endpoints (`/livez`, `/readyz`, `/health`, `/metrics`) mount
   * here, usually with `auth: 'public'`.
   */
  route<
    P extends z.ZodType | undefined = undefined,
    Q extends z.ZodType | undefined = undefined,
    B extends z.ZodType | undefined = undefined,
    R extends z.ZodType | undefined = undefined,
  >(def: RouteDefinition<P, Q, B, R>): () => void {
    return this.#root.add(def as unknown as AnyRouteDefinition, (route) => this.#checkReserved(route));
  }

  /** `http(s)://host:port` plus the base path; `undefined` before {@link HttpServer.start}. */
  get url(): string | undefined {
    return this.#address?.url;
  }

  /** The bound address; `undefined` before {@link HttpServer.start}. */
  get address(): HttpAddress | undefined {
    return this.#address;
  }

  /** The view plugin `plugin` gets: a fresh, empty route table under `/plugins/<plugin>`. */
  forPlugin(plugin: string): PluginHttp {
    this.#plugins.get(plugin)?.close();
    const table = new RouteTable(`plugin "${plugin}"`, `${this.#config.basePath}${pluginPrefix(plugin)}`, this.#runtime);
    const view = new PluginHttp(plugin, table, () => this.#address);
    this.#plugins.set(plugin, view);
    this.#pluginTables.set(plugin, table);
    return view;
  }

  /** Removes a stopped plugin's routes (they answer 404 until it mounts them again). */
  onPluginStopped(plugin: string): void {
    this.#plugins.get(plugin)?.close();
    this.#plugins.delete(plugin);
    this.#pluginTables.delete(plugin);
  }

  /** Every mounted route: host, admin, then each plugin's. */
  routes(): CompiledRoute[] {
    return [...this.#root.routes(), ...this.#admin.routes(), ...[...this.#pluginTables.values()].flatMap((t) => t.routes())];
  }

  /** The OpenAPI 3.1 document of the admin API. */
  openApi(): JsonObject {
    return openApiDocument([...this.#admin.routes(), ...this.#root.routes().filter((r) => r.def === this.#alias)], {
      title: this.#title,
      version: '1',
      description: 'Operate an xcore host. Every route needs a bearer token or JWT with the scope it lists.',
      ...(this.#address === undefined ? {} : { serverUrl: this.#address.url }),
    });
  }

  /**
   * Answers one request (what the Node server calls; usable in tests without a socket).
   *
   * @param peer - The socket's remote address.
   */
  async handle(request: Request, peer: string | undefined): Promise<Response> {
    const started = performance.now();
    const requestId = randomUUID();
    const client = clientAddress({ peer, forwardedFor: request.headers.get('x-forwarded-for') ?? undefined }, this.#trust);
    let response: Response;
    try {
      response = await this.#dispatch(request, requestId, client);
    } catch (error) {
      this.#logger.error({ err: error, requestId }, 'request failed outside any route');
      response = errorResponse(new HttpInternalError(`${request.method} request`, requestId, { cause: error }), requestId);
    }
    this.#logger.debug({ requestId, method: request.method, url: request.url, status: response.status, client, ms: Math.round(performance.now() - started) }, 'http request');
    if (this.#closing) {
      try {
        response.headers.set('connection', 'close');
      } catch {
        // Immutable headers (a Response a handler got from fetch): Node closes at the deadline.
      }
    }
    return response;
  }

  async #dispatch(request: Request, requestId: string, client: string): Promise<Response> {
    const length = Number(request.headers.get('content-length') ?? 0);
    if (length > this.#config.bodyLimit) return errorResponse(new HttpBodyTooLargeError(this.#config.bodyLimit), requestId);
    const path = tryDecode(new URL(request.url).pathname);
    const base = this.#config.basePath;
    const notFound = (): Response => errorResponse(new HttpNotFoundError(request.method, path), requestId);
    if (!under(path, base)) return notFound();
    const rest = path.slice(base.length) || '/';
    let table: RouteTable | undefined = this.#root;
    if (under(rest, ADMIN_PREFIX)) table = this.#admin;
    else if (under(rest, '/plugins')) table = this.#pluginTables.get(rest.split('/')[2] ?? '');
    if (table === undefined) return notFound();
    return table.fetch(request, { requestId, client });
  }

  /**
   * Binds `host:port` and starts answering.
   *
   * @throws `XCORE_ERR_HTTP_LISTEN_FAILED` when the address cannot be bound,
   * `XCORE_ERR_HTTP_AUTH_NONE_REFUSED` when `auth: none` and the bound address is not loopback.
   */
  async start(): Promise<HttpAddress> {
    if (this.#address !== undefined) return this.#address;
    const { host, port } = this.#config;
    const listening = await listen((request, env) => this.handle(request, env.incoming.socket.remoteAddress), {
      host,
      port,
      ...(this.#tls === undefined ? {} : { tls: this.#tls }),
      onBadRequest: (error) => errorResponse(new HttpBadRequestError(error instanceof Error ? error.message : 'malformed request', { cause: error }), randomUUID()),
      onClientError: (socket, error) => this.#answerClientError(socket, error),
    });
    if (this.#runtime.guard.open && !isLoopbackAddress(listening.address.address)) {
      await close(listening.server, 0);
      throw new HttpAuthNoneRefusedError(host, listening.address.address);
    }
    this.#listening = listening;
    const scheme = this.#tls === undefined ? 'http' : 'https';
    const shownHost = host.includes(':') ? `[${host}]` : host;
    const url = `${scheme}://${shownHost}:${listening.address.port}${this.#config.basePath}`;
    this.#address = Object.freeze({ host, address: listening.address.address, port: listening.address.port, tls: this.#tls !== undefined, url });
    this.#logger.info({ url, host, address: listening.address.address, port: listening.address.port, tls: this.#tls !== undefined }, 'http listening');
    if (this.#runtime.guard.open) {
      this.#logger.warn({ url }, 'services.http.auth is "none": every route, the admin API included, answers anyone who can reach this address. Use it only for development; configure tokens or jwt otherwise.');
    }
    return this.#address;
  }

  /**
   * Stops accepting requests, lets those in progress finish until `deadlineMs` (their answers ask
   * clients to close the connection), then cuts what is left. Idempotent; `start` binds again.
   */
  async stop(deadlineMs: number): Promise<void> {
    const listening = this.#listening;
    this.#listening = undefined;
    if (listening === undefined) return;
    this.#closing = true;
    // Event streams never end on their own: end them so the close waits only for real requests.
    this.#streams.closeAll();
    await close(listening.server, deadlineMs);
    this.#logger.info({ url: this.#address?.url }, 'http stopped');
    this.#address = undefined;
    this.#closing = false;
  }

  #checkReserved(route: CompiledRoute): void {
    const own = route.fullPath.slice(this.#config.basePath.length);
    const reserved = RESERVED.find((prefix) => under(own, prefix));
    if (reserved !== undefined) throw new HttpRouteConflictError('a service', route.label, `${reserved} is reserved (the admin API, plugin routes and the run-now alias)`);
  }

  /** A request Node could not parse: the error shape (400, or 431 for huge headers) written on the raw socket. */
  #answerClientError(socket: Socket, error: Error & { code?: string }): void {
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    const overflow = error.code === 'HPE_HEADER_OVERFLOW';
    const status = overflow ? 431 : 400;
    const requestId = randomUUID();
    const body = JSON.stringify(errorBody(new HttpBadRequestError(overflow ? 'the request headers are too large' : 'the request is not valid HTTP/1.1'), requestId, status));
    const reason = overflow ? 'Request Header Fields Too Large' : 'Bad Request';
    socket.end(`HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\nx-request-id: ${requestId}\r\n\r\n${body}`);
  }
}
