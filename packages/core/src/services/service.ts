import type { Logger } from 'pino';
import type { z } from 'zod';
import type { LoadedConfig, XcoreConfig } from '../config/types.js';
import type { EventBus } from '../events/event-bus.js';
import type { PluginOperatorView } from '../kernel/plugin-operator-view.js';
import type { XcoreServices } from '../index.js';

export type { XcoreServices };

/** A service name known to the type system. */
export type ServiceName = keyof XcoreServices & string;

/** What a service's `create` receives. */
export interface ServiceCreateContext<TConfig> {
  /** The service's validated, frozen section of `services.<name>` in `xcore.yaml`. */
  readonly config: TConfig;
  /** Logger bound to `{ service: name }`. */
  readonly logger: Logger;
  /** The application's event bus. */
  readonly events: EventBus;
  /** Absolute path of the config file, for resolving relative paths (empty when built in code). */
  readonly configFile: string;
  /** The loaded config file, to point errors at `file:line:col` (absent when built in code). */
  readonly loaded?: LoadedConfig;
  /** Another service, already created (services are created in registration order). */
  getService<K extends ServiceName>(name: K): XcoreServices[K];
  /**
   * Names of the services registered when called (core services included), sorted.
   *
   * @remarks
   * Read it when needed rather than in `create`: services created later are listed once they are.
   */
  serviceNames(): string[];
  /**
   * The kernel's operator view of the plugins: list them with state and error, reload one.
   *
   * @remarks
   * For services that serve operators (the http service's admin API). Absent when the service is
   * created outside a kernel. Plugins never get it.
   */
  readonly plugins?: PluginOperatorView;
  /**
   * Aborted when the host asks to stop while booting (a signal during boot): a `create` that takes
   * long (importing many modules, connecting) should stop waiting and throw `signal.reason`.
   * Absent when built in code without a signal.
   */
  readonly signal?: AbortSignal;
  /**
   * What the service's `check` returned as `prepared` in this boot (YAML jobs already resolved),
   * so `create` does not do that work twice. Absent when `check` was not run (built in code).
   */
  readonly prepared?: unknown;
}

/** What a service's `check` receives: its section and where the config came from; never a connection. */
export interface ServiceCheckContext<TConfig> {
  /** The service's validated, frozen section of `services.<name>`. */
  readonly config: TConfig;
  /** Absolute path of the config file, for resolving relative paths (empty when built in code). */
  readonly configFile: string;
  /** The loaded config file, to point problems at `file:line:col`. */
  readonly loaded: LoadedConfig;
  /** Aborted when the host asks to stop while booting: stop waiting and throw `signal.reason`. */
  readonly signal?: AbortSignal;
}

/**
 * What a service's `check` returns.
 *
 * @remarks
 * Each problem is a coded error whose message starts with its `file:line:col` (then `: `); one
 * without a position is placed at the service's section. A check may also throw
 * `XCORE_ERR_CONFIG_INVALID` (one problem per issue) or another coded error (one problem).
 */
export interface ServiceCheckResult {
  /** Every problem that would make `create` refuse, each a coded error. */
  readonly problems?: readonly Error[];
  /** Handed to `create` as `ctx.prepared` in the same boot (e.g. the resolved YAML jobs). */
  readonly prepared?: unknown;
}

/** Lifecycle hints the kernel passes to a service's `start`/`stop`. */
export interface ServiceLifecycleContext {
  /** Aborted when the kernel gives up waiting (drain deadline reached). */
  readonly signal: AbortSignal;
  /** Milliseconds the service has before the kernel aborts `signal`. */
  readonly deadlineMs: number;
}

/**
 * What a service's shutdown step (`beforePluginsStop`, `stop`) may return.
 *
 * @remarks
 * A service that had to abort work because the drain deadline passed says so here, so the
 * kernel reports the shutdown as past its deadline (`StopReport.timedOut`, exit code 3 of
 * `xcore start`) even though the step itself returned in time.
 */
export interface ServiceStopResult {
  /** What was aborted at the deadline, e.g. `job:reports:nightly`. */
  readonly aborted?: readonly string[];
}

/**
 * A service package's declaration: its name, config schema and lifecycle.
 *
 * @remarks
 * Services are created before plugins load, started before plugins start (`start`), told when
 * every plugin has started (`afterPluginsStarted`), asked to drain their work while plugins still
 * run when the app shuts down (`beforePluginsStop`), stopped after plugins stop (`stop`) and
 * disposed last (`dispose`, closing connections).
 */
export interface ServiceDefinition<K extends ServiceName = ServiceName, TSchema extends z.ZodType = z.ZodType> {
  /** Service name: the key under `services:` in `xcore.yaml` and the name given to `getService`. */
  readonly name: K;
  /** Zod schema of the service's config section (strict). */
  readonly configSchema: TSchema;
  /**
   * Finds, without side effects outside the process (no connection, no file written), every
   * problem that would make `create` refuse: `xcore validate` runs it, and boot runs it before
   * `create` and refuses to start on its problems, so the two report the same.
   *
   * @remarks
   * Value checks belong in `configSchema`; `check` is for what needs more (importing the
   * modules YAML jobs name, reading files the section names). Not called for a section that is
   * disabled or not configured.
   */
  check?(ctx: ServiceCheckContext<z.output<TSchema>>): void | ServiceCheckResult | Promise<void | ServiceCheckResult>;
  /** Builds the service instance. */
  create(ctx: ServiceCreateContext<z.output<TSchema>>): XcoreServices[K] | Promise<XcoreServices[K]>;
  /** Called before any plugin starts. */
  start?(instance: XcoreServices[K], ctx: ServiceLifecycleContext): void | Promise<void>;
  /** Called once every plugin has started (or failed). The scheduler begins firing here. */
  afterPluginsStarted?(instance: XcoreServices[K]): void | Promise<void>;
  /**
   * Called on shutdown before any plugin stops, with the whole drain deadline: the service stops
   * taking new work and lets work in progress finish while the plugins it belongs to still run
   * (the scheduler stops claiming and drains running jobs here).
   */
  beforePluginsStop?(instance: XcoreServices[K], ctx: ServiceLifecycleContext): void | ServiceStopResult | Promise<void | ServiceStopResult>;
  /** Called after every plugin has stopped. */
  stop?(instance: XcoreServices[K], ctx: ServiceLifecycleContext): void | ServiceStopResult | Promise<void | ServiceStopResult>;
  /**
   * The work in progress right now, named for people (the scheduler's running jobs, `job:<id>`).
   *
   * @remarks
   * The kernel logs it while shutdown waits, so an operator sees what the drain is waiting for.
   * Must be cheap and must not throw.
   */
  inProgress?(instance: XcoreServices[K]): readonly string[];
  /**
   * Returns the view of the service a given plugin gets from `ctx.getService(name)`.
   *
   * @remarks
   * Lets a service scope what a plugin does to that plugin (the scheduler namespaces job ids by
   * plugin and refuses registrations after the plugin stopped). The kernel calls it once per
   * plugin start and caches the result; without it plugins get the shared instance.
   */
  forPlugin?(instance: XcoreServices[K], plugin: string): XcoreServices[K];
  /** Releases resources (connections, files). Called last. */
  dispose?(instance: XcoreServices[K]): void | Promise<void>;
}

/** Hooks a service can implement to follow plugins (the scheduler detaches a stopped plugin's jobs). */
export interface PluginAwareService {
  /** Called after a plugin has stopped or failed, so the service can drop what the plugin owned. */
  onPluginStopped?(plugin: string): void | Promise<void>;
}
