import type { Logger } from 'pino';
import { PluginContextClosedError } from '../errors.js';
import type { EventBus } from '../events/event-bus.js';
import type { PluginContext } from '../plugins/plugin.js';
import type { ServiceName, XcoreServices } from '../services/service.js';
import type { ResolvedService } from './service-host.js';

/** What the kernel lends a plugin context. */
export interface PluginContextDeps {
  readonly name: string;
  readonly config: unknown;
  readonly logger: Logger;
  readonly events: EventBus;
  /**
   * Resolves a service for this plugin: the shared instance, or a `forPlugin` view factory;
   * `undefined` when it is not registered and `optional` is set (otherwise that throws).
   */
  resolveService(name: string, optional: boolean): ResolvedService | undefined;
  /** Performs `call()` on behalf of this plugin. */
  call(target: string, action: string, payload: unknown, timeoutMs: number | undefined): Promise<unknown>;
}

/** A plugin context plus the switch that closes it when the plugin stops or fails. */
export interface PluginContextHandle {
  readonly context: PluginContext;
  /** After this, `getService` and `call` throw `XCORE_ERR_PLUGIN_CONTEXT_CLOSED`. */
  close(): void;
  readonly closed: boolean;
}

/**
 * Builds the context one start of a plugin gets (a reload gets a new one).
 *
 * @remarks
 * Service views made by a service's `forPlugin` are created on first `getService` and cached
 * for the life of this context. Once closed, `getService` and `call` throw, so a timer the plugin
 * forgot to clear in `onStop` fails loudly instead of acting for a stopped plugin.
 */
export function createPluginContext(deps: PluginContextDeps): PluginContextHandle {
  let closed = false;
  const views = new Map<string, unknown>();
  const context: PluginContext = Object.freeze({
    name: deps.name,
    config: deps.config,
    logger: deps.logger,
    events: deps.events,
    getService<K extends ServiceName>(name: K, options?: { readonly optional: true }): XcoreServices[K] {
      if (closed) throw new PluginContextClosedError(deps.name, `getService("${name}")`);
      if (views.has(name)) return views.get(name) as XcoreServices[K];
      const resolved = deps.resolveService(name, options?.optional === true);
      if (resolved === undefined) return undefined as unknown as XcoreServices[K];
      const view = resolved.forPlugin === undefined ? resolved.instance : resolved.forPlugin(resolved.instance);
      views.set(name, view);
      return view as XcoreServices[K];
    },
    async call<T = unknown>(plugin: string, action: string, payload?: unknown, options?: { timeoutMs?: number }): Promise<T> {
      if (closed) throw new PluginContextClosedError(deps.name, `call("${plugin}", "${action}")`);
      return (await deps.call(plugin, action, payload, options?.timeoutMs)) as T;
    },
  });
  return {
    context,
    close() {
      closed = true;
      views.clear();
    },
    get closed() {
      return closed;
    },
  };
}
