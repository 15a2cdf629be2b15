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
  /** The application's typed event bus. */
  readonly events: EventBus;
  /**
   * A service from the container, typed by its name.
   * @throws `XCORE_ERR_SERVICE_UNKNOWN` naming the registered services when `name` is unknown.
   */
  getService<K extends ServiceName>(name: K): XcoreServices[K];
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
