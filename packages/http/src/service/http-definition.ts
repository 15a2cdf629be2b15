/**
 * `httpService`: the `ServiceDefinition` that registers the http server with the xcore kernel as
 * the service `http`, configured under `services.http`.
 */
import { createSecureContext } from 'node:tls';
import type { ServiceCreateContext, ServiceDefinition } from '@xcore/core';
import type { Credentials } from '../auth/access-guard.js';
import { JwtVerifier } from '../auth/jwt-auth.js';
import { loadJwtKeys } from '../auth/jwt-keys.js';
import { TokenVerifier } from '../auth/token-auth.js';
import { ConfigFileReader, type ConfigSource } from '../config/config-files.js';
import { httpConfigSchema, type HttpConfig } from '../config/http-config.js';
import { healthRoutes } from '../health/health-routes.js';
import { HttpServer } from '../server/http-server.js';
import type { HttpService } from './http-service.js';
import { schedulerMetrics, schedulerOperatorView, type SchedulerOperatorView, type SchedulerService } from '@xcore/scheduler';

/** What {@link createHttpServer} needs: the config section, a logger, where the config came from. */
export type HttpCreateContext = Pick<ServiceCreateContext<HttpConfig>, 'config' | 'logger' | 'configFile' | 'loaded'> &
  Partial<Pick<ServiceCreateContext<HttpConfig>, 'events' | 'getService' | 'serviceNames' | 'plugins'>> & {
    /** The failure limiter's clock, for tests. @defaultValue `Date.now` */
    readonly now?: () => number;
    /** Keep-alive period of the admin event stream, ms (for tests). @defaultValue `15000` */
    readonly keepAliveMs?: number;
  };

function asServer(instance: HttpService): HttpServer {
  if (instance instanceof HttpServer) return instance;
  throw new TypeError('the http service instance is not an HttpServer (a plugin view was passed where the root instance belongs)');
}

/** The scheduler service when one is registered. */
function schedulerOf(getService: NonNullable<HttpCreateContext['getService']>): SchedulerService | undefined {
  try {
    return getService('scheduler');
  } catch {
    return undefined;
  }
}

/** The scheduler's operator view when a scheduler service is registered. */
function operatorViewOf(getService: NonNullable<HttpCreateContext['getService']>): SchedulerOperatorView | undefined {
  return schedulerOperatorView(schedulerOf(getService));
}

/** Reads the TLS files and checks that the key matches the certificate. */
function readTls(config: HttpConfig, files: ConfigFileReader): { cert: string; key: string } | undefined {
  if (config.tls === undefined) return undefined;
  const cert = files.read(['tls', 'cert'], config.tls.cert, 'a readable PEM certificate file');
  const key = files.read(['tls', 'key'], config.tls.key, 'a readable PEM private key file');
  if (cert === undefined || key === undefined) return undefined;
  try {
    createSecureContext({ cert, key });
  } catch (error) {
    files.problem(['tls', 'key'], `a PEM private key matching the certificate in ${files.resolve(config.tls.cert)}`, `${files.resolve(config.tls.key)}: ${(error as Error).message}`);
    return undefined;
  }
  return { cert, key };
}

/** Builds the credential checks of `config.auth`, reading the JWT key file if any. */
function readCredentials(config: HttpConfig, files: ConfigFileReader): Credentials {
  const { auth } = config;
  if (auth === 'none') return { mode: 'none' };
  const tokens = new TokenVerifier(auth.tokens);
  if (auth.jwt === undefined) return { mode: 'verify', tokens };
  const keys = loadJwtKeys(auth.jwt, files);
  if (keys === undefined) return { mode: 'verify', tokens };
  const { issuer, audience, clockSkew, scopesClaim, scopePrefix } = auth.jwt;
  return { mode: 'verify', tokens, jwt: new JwtVerifier(keys, { issuer, audience, clockSkewMs: clockSkew, scopesClaim, scopePrefix }) };
}

/**
 * Reads what the section names on disk (TLS certificate and key, JWT key files) and builds the
 * credentials, throwing every problem at once.
 *
 * @throws `XCORE_ERR_CONFIG_INVALID` with each file that is missing, unreadable or does not fit.
 */
function readSectionFiles(ctx: Pick<HttpCreateContext, 'config' | 'configFile' | 'loaded'>): { tls: { cert: string; key: string } | undefined; credentials: Credentials } {
  const source: ConfigSource = { configFile: ctx.configFile, ...(ctx.loaded === undefined ? {} : { loaded: ctx.loaded }) };
  const files = new ConfigFileReader(source);
  const tls = readTls(ctx.config, files);
  const credentials = readCredentials(ctx.config, files);
  files.throwIfAny();
  return { tls, credentials };
}

/**
 * Builds the http server from its config section: reads and checks the TLS and JWT key files
 * (every problem at once, each at the line naming the file) and mounts the admin API and, inside
 * a kernel, `/livez`, `/readyz` (public) and `/health` (scope `read`). It does not listen yet:
 * {@link HttpServer.start} does.
 *
 * @throws `XCORE_ERR_CONFIG_INVALID` for a file that is missing, unreadable or holds the wrong
 * kind of key.
 */
export function createHttpServer(ctx: HttpCreateContext): HttpServer {
  const { tls, credentials } = readSectionFiles(ctx);
  const { getService, serviceNames } = ctx;
  if (ctx.config.auth !== 'none' && ctx.config.auth.tokens.length === 0 && ctx.config.auth.jwt === undefined) {
    ctx.logger.warn('services.http.auth has no tokens and no jwt: every protected route (the admin API, plugin routes not marked public) answers 401');
  }
  const server = new HttpServer({
    config: ctx.config,
    logger: ctx.logger,
    credentials,
    ...(tls === undefined ? {} : { tls }),
    ...(ctx.events === undefined ? {} : { events: ctx.events }),
    ...(serviceNames === undefined ? {} : { serviceNames }),
    ...(getService === undefined ? {} : { service: (name: string) => getService(name as never), scheduler: () => operatorViewOf(getService), metrics: () => schedulerMetrics(schedulerOf(getService)) }),
    ...(ctx.plugins === undefined ? {} : { plugins: ctx.plugins }),
    ...(ctx.now === undefined ? {} : { now: ctx.now }),
    ...(ctx.keepAliveMs === undefined ? {} : { keepAliveMs: ctx.keepAliveMs }),
    ...(ctx.loaded === undefined ? {} : { title: `${ctx.loaded.config.app.name} admin API` }),
  });
  // Inside a kernel, the host's health service is served as /livez, /readyz and /health.
  if (getService !== undefined && serviceNames?.().includes('health') === true) {
    for (const route of healthRoutes(getService('health'))) server.route(route as never);
  }
  return server;
}

/**
 * The `http` service definition for the xcore kernel.
 *
 * @remarks
 * - `create`: checks the files and builds the server with the admin API mounted.
 * - `start` (before plugins start, so they can read `url`): binds `host:port`, logs `http listening`
 *   with the bound port, warns when `auth: none`.
 * - `stop` (after plugins stopped): stops accepting, lets requests in progress finish within the
 *   kernel's deadline, closes the rest. `dispose` makes sure it is closed.
 * - `forPlugin`: each plugin start gets a {@link PluginHttp} view under `/plugins/<plugin>`;
 *   `onPluginStopped` removes its routes.
 *
 * @example
 * ```ts
 * import { httpService } from '@xcore/http';
 * const kernel = createKernel({ loaded, services: [schedulerService, httpService] });
 * ```
 */
export const httpService: ServiceDefinition<'http', typeof httpConfigSchema> = {
  name: 'http',
  configSchema: httpConfigSchema,
  check(ctx) {
    readSectionFiles(ctx);
  },
  create: (ctx) => createHttpServer(ctx),
  async start(instance) {
    await asServer(instance).start();
  },
  async stop(instance, ctx) {
    await asServer(instance).stop(ctx.deadlineMs);
  },
  async dispose(instance) {
    await asServer(instance).stop(0);
  },
  forPlugin: (instance, plugin) => asServer(instance).forPlugin(plugin),
};
