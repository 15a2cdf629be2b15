/**
 * The plugin context inside a sandbox: the same shape an in-process plugin gets, whose services
 * are thin clients that send one granted method per call to the host.
 */
import type { Logger } from 'pino';
import { SandboxNotGrantedError } from '../errors.js';
import type { EventBus } from '../events/event-bus.js';
import type { PluginContext } from '../plugins/plugin.js';
import type { RpcChannel } from './rpc-channel.js';

/** A job handler or route handler the sandbox registered, by the key it told the host. */
export interface SandboxHandlers {
  readonly jobs: Map<number, (ctx: unknown) => unknown>;
  readonly routes: Map<number, SandboxRoute>;
  /** Route mounts sent and not answered yet: a hook's reply waits for them, so a refused mount fails the hook. */
  readonly mounts: Set<Promise<unknown>>;
}

/** A route mounted from the sandbox: the plugin's definition, whose schemas validate in the sandbox. */
export interface SandboxRoute {
  readonly def: Record<string, unknown> & { handler(input: unknown): unknown };
}

/** What {@link createSandboxContext} needs. */
export interface SandboxContextDeps {
  readonly plugin: string;
  readonly config: unknown;
  readonly dataDir: string;
  readonly logger: Logger;
  readonly rpc: RpcChannel;
  /** Services the host offers (granted and registered). */
  readonly services: readonly string[];
  readonly handlers: SandboxHandlers;
}

/** Methods of the scheduler the grant table has, besides `addJob` and the helpers built on it. */
const SCHEDULER_METHODS = ['removeJob', 'pauseJob', 'resumeJob', 'modifyJob', 'rescheduleJob', 'getJob', 'jobs', 'runJob', 'history'] as const;

/** Scheduler methods a sandbox does not get, with why. */
const SCHEDULER_REFUSED: Readonly<Record<string, string>> = {
  register: 'scheduler.register (decorated classes): use addJob',
  on: 'scheduler.on (events)',
  onFailure: 'scheduler.onFailure',
  health: 'scheduler.health (synchronous)',
};

const granted = (services: readonly string[]): string[] => [
  ...(services.includes('scheduler') ? ['scheduler.addJob', 'scheduler.interval', 'scheduler.cron', ...SCHEDULER_METHODS.map((m) => `scheduler.${m}`)] : []),
  ...(services.includes('http') ? ['http.route', 'http.url'] : []),
  'call',
  'logger',
  'config',
];

/** Builds the sandbox side of the scheduler service. */
function schedulerClient(deps: SandboxContextDeps, next: () => number): object {
  const { rpc, handlers, plugin } = deps;
  const addJob = async (fn: unknown, options: unknown): Promise<unknown> => {
    if (typeof fn !== 'function') throw new TypeError(`addJob needs a job function, got ${typeof fn}`);
    const key = next();
    handlers.jobs.set(key, fn as (ctx: unknown) => unknown);
    try {
      return await rpc.request({ t: 'call', method: 'scheduler.addJob', args: [key, options] });
    } catch (error) {
      handlers.jobs.delete(key);
      throw error;
    }
  };
  const client: Record<string, unknown> = {
    addJob,
    interval: (every: unknown, options: object) => (fn: unknown) => addJob(fn, { ...options, every }),
    cron: (cron: unknown, options: object) => (fn: unknown) => addJob(fn, { ...options, cron }),
  };
  for (const method of SCHEDULER_METHODS) {
    client[method] = (...args: unknown[]) => rpc.request({ t: 'call', method: `scheduler.${method}`, args });
  }
  for (const [method, what] of Object.entries(SCHEDULER_REFUSED)) {
    client[method] = () => {
      throw new SandboxNotGrantedError(plugin, what, granted(deps.services));
    };
  }
  return Object.freeze(client);
}

/** Builds the sandbox side of the http service: `route` mounts through the host, `url` is read at init. */
function httpClient(deps: SandboxContextDeps, next: () => number, url: string | undefined): object {
  const { rpc, handlers } = deps;
  return Object.freeze({
    route(def: SandboxRoute['def']) {
      if (def === null || typeof def !== 'object' || typeof def.handler !== 'function') throw new TypeError('route needs a definition with a handler function');
      const key = next();
      handlers.routes.set(key, { def });
      const described = {
        method: def['method'],
        path: def['path'],
        auth: def['auth'],
        summary: def['summary'],
        description: def['description'],
        status: def['status'],
        hasBody: def['body'] !== undefined,
      };
      const mount = rpc.request({ t: 'call', method: 'http.route', args: [key, described] });
      handlers.mounts.add(mount);
      void mount.then(
        () => handlers.mounts.delete(mount),
        (err: unknown) => {
          handlers.routes.delete(key);
          deps.logger.error({ err, method: described.method, path: described.path }, 'route could not be mounted');
        },
      );
      return () => {
        handlers.routes.delete(key);
        void rpc.request({ t: 'call', method: 'http.unroute', args: [key] }).catch(() => undefined);
      };
    },
    get url() {
      return url;
    },
  });
}

/** An event bus a sandbox cannot use: events stay in the host. */
function refusedEvents(plugin: string, services: readonly string[]): EventBus {
  const refuse = (what: string) => () => {
    throw new SandboxNotGrantedError(plugin, `events.${what}`, granted(services));
  };
  return Object.freeze({ on: refuse('on'), once: refuse('once'), has: () => false, emit: refuse('emit') }) as EventBus;
}

/**
 * Builds the context a sandboxed plugin's hooks receive.
 *
 * @remarks
 * `getService` answers only for services the host offered (`scheduler`, `http`, and `logger`,
 * which is the plugin's logger); any other name is `XCORE_ERR_SANDBOX_NOT_GRANTED` (or `undefined`
 * with `{ optional: true }`), because the app's services (and the app config) stay in the host.
 */
export function createSandboxContext(deps: SandboxContextDeps, httpUrl: string | undefined): PluginContext & { readonly dataDir: string } {
  let key = 0;
  const next = (): number => ++key;
  const views = new Map<string, unknown>();
  const make = (name: string): unknown => {
    if (name === 'scheduler') return schedulerClient(deps, next);
    if (name === 'http') return httpClient(deps, next, httpUrl);
    return deps.logger;
  };
  const context = {
    name: deps.plugin,
    config: deps.config,
    logger: deps.logger,
    events: refusedEvents(deps.plugin, deps.services),
    dataDir: deps.dataDir,
    getService(name: string, options?: { readonly optional: true }): unknown {
      if (views.has(name)) return views.get(name);
      const offered = name === 'logger' || deps.services.includes(name);
      if (!offered) {
        if (options?.optional === true && !['config', 'events'].includes(name)) return undefined;
        throw new SandboxNotGrantedError(deps.plugin, `getService("${name}")`, granted(deps.services));
      }
      const view = make(name);
      views.set(name, view);
      return view;
    },
    call(plugin: string, action: string, payload?: unknown, options?: { timeoutMs?: number }): Promise<unknown> {
      return deps.rpc.request({ t: 'call', method: 'call', args: options === undefined ? [plugin, action, payload] : [plugin, action, payload, options] });
    },
  };
  return Object.freeze(context) as unknown as PluginContext & { readonly dataDir: string };
}
