import type { Logger } from 'pino';
import type { LoadedConfig } from '../config/types.js';
import { isXcoreError, ServiceDuplicateError, ServiceFailedError, ServiceInvalidError } from '../errors.js';
import type { EventBus } from '../events/event-bus.js';
import type { ServiceContainer } from '../services/container.js';
import type { PluginAwareService, ServiceDefinition, ServiceName, ServiceStopResult, XcoreServices } from '../services/service.js';
import type { PluginOperatorView } from './plugin-operator-view.js';
import { serviceSection } from '../check/service-section.js';
import { withTimeout } from './with-timeout.js';

interface Hosted {
  readonly def: ServiceDefinition;
  readonly instance: unknown;
  started: boolean;
}

/** Options of {@link createServiceHost}. */
export interface ServiceHostOptions {
  readonly loaded: LoadedConfig;
  readonly definitions: readonly ServiceDefinition[];
  readonly container: ServiceContainer;
  readonly logger: Logger;
  readonly events: EventBus;
  /** Timeout of `start`, `afterPluginsStarted` and `onPluginStopped`, ms. */
  readonly hookTimeoutMs: number;
  /** The kernel's operator view of the plugins, handed to each service's `create`. */
  readonly plugins?: PluginOperatorView;
}

/** A service as a plugin gets it: the instance, and the factory of the plugin's view when it has one. */
export interface ResolvedService {
  readonly instance: unknown;
  readonly forPlugin?: (instance: unknown) => unknown;
}

/** Runs the services through their lifecycle for the kernel. */
export interface ServiceHost {
  /**
   * Validates each section, creates and registers the services, in definition order.
   * @param signal - Aborted when a stop is requested during boot; given to each `create`.
   * @param prepared - What each service's `check` prepared in this boot, given to its `create`.
   */
  create(signal?: AbortSignal, prepared?: ReadonlyMap<string, unknown>): Promise<void>;
  /** Calls `start` on each created service, in order. */
  start(): Promise<void>;
  /** Calls `afterPluginsStarted` on each started service. */
  afterPluginsStarted(): Promise<void>;
  /** Calls `onPluginStopped(plugin)` on every service instance that has it; failures are logged. */
  pluginStopped(plugin: string): Promise<void>;
  /**
   * The instance of `name` and, when its definition has `forPlugin`, the view factory for `plugin`;
   * `undefined` when no such service is registered and `optional` is set.
   * @throws `XCORE_ERR_SERVICE_UNKNOWN` when no such service is registered and `optional` is not set.
   */
  resolveFor(name: string, plugin: string, optional?: boolean): ResolvedService | undefined;
  /** Work in progress in every hosted service (their `inProgress`), for the shutdown log. */
  inProgress(): string[];
  /** Calls `beforePluginsStop` on started services in reverse order; returns the names that did not finish in time. */
  beforePluginsStop(signal: AbortSignal, deadlineAt: number): Promise<string[]>;
  /** Stops started services in reverse order; returns the names that did not finish in time. */
  stop(signal: AbortSignal, deadlineAt: number): Promise<string[]>;
  /** Disposes created services in reverse order; returns the names that did not finish in time. */
  dispose(deadlineAt: number): Promise<string[]>;
}

/** Dispose still gets this long when the drain deadline has already passed: connections must close. */
const DISPOSE_FLOOR_MS = 1_000;

/**
 * After the drain deadline aborts a shutdown step's signal, the step has this long to return what
 * it aborted (`{ aborted }`): the signal's timer and the step's own deadline fall on the same
 * millisecond, and the step must not lose that race to report its aborted work.
 */
const ABORT_REPORT_GRACE_MS = 250;

/**
 * Creates the {@link ServiceHost} for a set of service definitions.
 *
 * @remarks
 * A service's config is `services.<name>` as the config loader validated it with the service's
 * `configSchema` (the loader is given the same services; it is not parsed twice, since a schema
 * with transforms need not accept its own output). When the loaded config has no such section
 * (the loader was not told about the service), the schema is given `undefined`: a schema with a
 * default creates the service with its defaults, one that rejects `undefined` means the service is
 * not configured and it is skipped (logged at debug). A section with `enabled: false` is skipped.
 * Creation errors that are already coded (such as a bad job in the scheduler's section) are
 * rethrown as they are; other errors become `XCORE_ERR_SERVICE_FAILED`.
 */
export function createServiceHost(options: ServiceHostOptions): ServiceHost {
  const { loaded, container, logger, events, hookTimeoutMs } = options;
  const hosted: Hosted[] = [];
  const definitions = new Map<string, ServiceDefinition>();
  for (const def of options.definitions) {
    if (def === null || typeof def !== 'object' || typeof def.name !== 'string' || (def.name as string) === '') {
      throw new ServiceInvalidError(String((def as { name?: unknown } | null)?.name), 'it needs a non-empty "name"');
    }
    if (typeof def.create !== 'function') throw new ServiceInvalidError(def.name, '"create" must be a function');
    if (def.configSchema === undefined || typeof def.configSchema.safeParse !== 'function') {
      throw new ServiceInvalidError(def.name, '"configSchema" must be a zod schema');
    }
    if (definitions.has(def.name) || container.has(def.name)) throw new ServiceDuplicateError(def.name);
    definitions.set(def.name, def);
  }

  const wrap = (name: string, phase: 'create' | 'start', error: unknown): Error =>
    isXcoreError(error) ? (error as Error) : new ServiceFailedError(name, phase, error);

  /**
   * Runs a shutdown hook of every started service in reverse order, each bounded by what is left
   * of the deadline; `stop` also marks them stopped. Returns the services that ran out of time.
   */
  const drainHooks = async (hook: 'beforePluginsStop' | 'stop', signal: AbortSignal, deadlineAt: number): Promise<string[]> => {
    const unfinished: string[] = [];
    for (const service of [...hosted].reverse()) {
      const { def } = service;
      if (!service.started) continue;
      if (hook === 'stop') service.started = false;
      const run = def[hook];
      if (run === undefined) continue;
      const remaining = signal.aborted ? 0 : Math.max(0, deadlineAt - Date.now());
      try {
        const result = await withTimeout(() => run.call(def, service.instance as never, { signal, deadlineMs: remaining }), remaining + ABORT_REPORT_GRACE_MS, () => new DeadlineError());
        const aborted = (result as ServiceStopResult | undefined)?.aborted;
        if (Array.isArray(aborted)) unfinished.push(...aborted.filter((item): item is string => typeof item === 'string'));
      } catch (err) {
        if (err instanceof DeadlineError) {
          unfinished.push(`service:${def.name}`);
          logger.warn({ service: def.name, hook, deadlineMs: remaining }, 'service did not finish its shutdown step before the drain deadline');
        } else {
          logger.error({ err, service: def.name, hook }, 'service failed its shutdown step');
        }
      }
    }
    return unfinished;
  };

  return {
    async create(signal, prepared) {
      for (const def of definitions.values()) {
        signal?.throwIfAborted();
        const section = serviceSection(loaded, def);
        if (section.skip === 'not configured') {
          logger.debug({ service: def.name }, 'service not configured; skipped');
          continue;
        }
        if (section.skip === 'disabled') {
          logger.info({ service: def.name }, 'service disabled in config; skipped');
          continue;
        }
        const { config } = section;
        let instance: unknown;
        try {
          instance = await def.create({
            config,
            logger: logger.child({ service: def.name }),
            events,
            configFile: loaded.file === '<inline>' ? '' : loaded.file,
            loaded,
            getService: <K extends ServiceName>(name: K): XcoreServices[K] => container.get(name, `service "${def.name}"`),
            serviceNames: () => container.names(),
            ...(options.plugins === undefined ? {} : { plugins: options.plugins }),
            ...(signal === undefined ? {} : { signal }),
            ...(prepared?.has(def.name) === true ? { prepared: prepared.get(def.name) } : {}),
          });
        } catch (error) {
          throw wrap(def.name, 'create', error);
        }
        container.register(def.name, instance as never);
        hosted.push({ def, instance, started: false });
      }
    },

    async start() {
      for (const service of hosted) {
        const { def } = service;
        if (def.start !== undefined) {
          const controller = new AbortController();
          try {
            await withTimeout(
              () => def.start!(service.instance as never, { signal: controller.signal, deadlineMs: hookTimeoutMs }),
              hookTimeoutMs,
              () => {
                controller.abort();
                return new ServiceFailedError(def.name, 'start', new Error(`start did not finish within ${hookTimeoutMs} ms`));
              },
            );
          } catch (error) {
            throw wrap(def.name, 'start', error);
          }
        }
        service.started = true;
      }
    },

    async afterPluginsStarted() {
      for (const service of hosted) {
        const hook = service.def.afterPluginsStarted;
        if (!service.started || hook === undefined) continue;
        try {
          await withTimeout(() => hook.call(service.def, service.instance as never), hookTimeoutMs, () =>
            new Error(`afterPluginsStarted did not finish within ${hookTimeoutMs} ms`),
          );
        } catch (error) {
          throw wrap(service.def.name, 'start', error);
        }
      }
    },

    async pluginStopped(plugin) {
      for (const service of hosted) {
        const aware = service.instance as PluginAwareService | null;
        if (aware === null || typeof aware !== 'object' || typeof aware.onPluginStopped !== 'function') continue;
        try {
          await withTimeout(() => aware.onPluginStopped!(plugin), hookTimeoutMs, () => new Error(`onPluginStopped did not finish within ${hookTimeoutMs} ms`));
        } catch (err) {
          logger.error({ err, service: service.def.name, plugin }, 'service failed to release a stopped plugin');
        }
      }
    },

    resolveFor(name, plugin, optional = false) {
      if (optional && !container.has(name)) return undefined;
      const instance = container.get(name as ServiceName, `plugin "${plugin}"`);
      const def = definitions.get(name);
      if (def?.forPlugin === undefined) return { instance };
      const forPlugin = def.forPlugin;
      return { instance, forPlugin: (value) => forPlugin.call(def, value as never, plugin) };
    },

    inProgress() {
      const out: string[] = [];
      for (const { def, instance } of hosted) {
        if (def.inProgress === undefined) continue;
        try {
          out.push(...def.inProgress(instance as never));
        } catch (err) {
          logger.debug({ err, service: def.name }, 'service could not list its work in progress');
        }
      }
      return out;
    },

    beforePluginsStop(signal, deadlineAt) {
      return drainHooks('beforePluginsStop', signal, deadlineAt);
    },

    stop(signal, deadlineAt) {
      return drainHooks('stop', signal, deadlineAt);
    },

    async dispose(deadlineAt) {
      const unfinished: string[] = [];
      for (const service of hosted.splice(0).reverse()) {
        const { def } = service;
        if (def.dispose === undefined) continue;
        const remaining = Math.max(DISPOSE_FLOOR_MS, deadlineAt - Date.now());
        try {
          await withTimeout(() => def.dispose!(service.instance as never), remaining, () => new DeadlineError());
        } catch (err) {
          if (err instanceof DeadlineError) {
            unfinished.push(`service:${def.name}:dispose`);
            logger.warn({ service: def.name }, 'service did not dispose in time');
          } else {
            logger.error({ err, service: def.name }, 'service failed to dispose');
          }
        }
      }
      return unfinished;
    },
  };
}

class DeadlineError extends Error {}
