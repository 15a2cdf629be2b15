import type { Logger } from 'pino';
import type { z } from 'zod';
import type { EventBus } from '../events/event-bus.js';
import type { ServiceName, XcoreServices } from '../services/service.js';

/** What every plugin hook receives. */
export interface PluginContext<TConfig = unknown> {
  /** This plugin's name (from its manifest). */
  readonly name: string;
  /** This plugin's validated, frozen config section (`plugins.config.<name>`). */
  readonly config: TConfig;
  /** pino logger bound to `{ plugin: name }`. */
  readonly logger: Logger;
  /** The application's typed event bus (not offered to sandboxed plugins: its methods throw `XCORE_ERR_SANDBOX_NOT_GRANTED` there). */
  readonly events: EventBus;
  /**
   * The plugin's data folder when it runs sandboxed (`<plugins.sandbox.dataDirectory>/<name>`, the
   * only folder it may write, and its working directory); `undefined` for an in-process plugin.
   */
  readonly dataDir?: string;
  /**
   * A service from the container, typed by its name.
   * @throws `XCORE_ERR_SERVICE_UNKNOWN` naming the registered services when `name` is not
   * registered (unknown, not configured, or disabled with `services.<name>.enabled: false`).
   */
  getService<K extends ServiceName>(name: K): XcoreServices[K];
  /**
   * A service the plugin can run without: the service, or `undefined` when it is not registered
   * (not configured, or disabled with `services.<name>.enabled: false`).
   *
   * @remarks
   * Declare such services in `optionalServices` of {@link PluginDefinition} so readers (and the
   * boot log) know the plugin runs without them.
   *
   * @example
   * ```ts
   * const scheduler = ctx.getService('scheduler', { optional: true });
   * if (scheduler !== undefined) await scheduler.addJob(summary, { id: 'summary', cron: '0 * * * *' });
   * ```
   */
  getService<K extends ServiceName>(name: K, options: { readonly optional: true }): XcoreServices[K] | undefined;
  /**
   * Calls another plugin's `handle(action, payload)` with a timeout.
   * @throws `XCORE_ERR_PLUGIN_UNKNOWN`, `XCORE_ERR_PLUGIN_ACTION_UNKNOWN`, `XCORE_ERR_PLUGIN_CALL_TIMEOUT`.
   */
  call<T = unknown>(plugin: string, action: string, payload?: unknown, options?: { timeoutMs?: number }): Promise<T>;
}

/** A plugin as written by its author with {@link definePlugin}. */
export interface PluginDefinition<TSchema extends z.ZodType = z.ZodType> {
  /** Optional zod schema for this plugin's section of `plugins.config`. */
  readonly configSchema?: TSchema;
  /**
   * Services this plugin uses when they exist and runs without otherwise, e.g. `['scheduler']`.
   *
   * @remarks
   * Ask for them with `ctx.getService(name, { optional: true })`, which returns `undefined` for a
   * service that is not registered. When one is missing, the kernel logs at start that the
   * plugin runs without it.
   */
  readonly optionalServices?: readonly string[];
  /** Called once after import, before any plugin starts. */
  onLoad?(ctx: PluginContext<z.output<TSchema>>): void | Promise<void>;
  /** Called in dependency order; register jobs and handlers here. */
  onStart?(ctx: PluginContext<z.output<TSchema>>): void | Promise<void>;
  /** Called in reverse dependency order on shutdown or reload. */
  onStop?(ctx: PluginContext<z.output<TSchema>>): void | Promise<void>;
  /** Answers `call(thisPlugin, action, payload)` from other plugins. Throw for unknown actions. */
  handle?(action: string, payload: unknown, ctx: PluginContext<z.output<TSchema>>): unknown | Promise<unknown>;
  /** Actions `handle` supports; when set, an unknown action fails before `handle` is called. */
  readonly actions?: readonly string[];
}
