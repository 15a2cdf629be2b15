import type { Logger } from 'pino';
import type { LoadedConfig } from '../config/types.js';
import type { ServiceDefinition } from '../services/service.js';
import type { HealthService } from '../health/health-types.js';
import type { SandboxStatus } from '../sandbox/sandboxed-plugin.js';
import type { PluginOperatorView } from './plugin-operator-view.js';

/**
 * Where a plugin is in its lifecycle.
 *
 * @remarks
 * `loaded`: imported and `onLoad` done, not started yet. `started`: `onStart` succeeded.
 * `failed`: its own import, `onLoad` or `onStart` threw or timed out. `stopped`: `onStop` ran.
 * `skipped`: never started because of a dependency (missing, out of its version range, in a
 * cycle, or itself skipped or failed), named in {@link PluginStatus.dependency}.
 * `not-enabled`: its folder is in `plugins.directory` but `plugins.enabled` does not name it.
 */
export type PluginState = 'loaded' | 'started' | 'failed' | 'stopped' | 'skipped' | 'not-enabled';

/** One plugin as {@link Kernel.plugins} reports it. */
export interface PluginStatus {
  readonly name: string;
  readonly version: string;
  readonly state: PluginState;
  /** Why it is `failed` or `skipped` (a coded error; match on `code`). */
  readonly error: Error | undefined;
  /** For a `skipped` plugin: the dependency that stopped it. */
  readonly dependency?: string;
  /** Duration of its last successful `onStart`, ms. */
  readonly startMs: number | undefined;
  /** Its manifest dependencies: plugin name to semver range. */
  readonly dependencies: Readonly<Record<string, string>>;
  /** For a sandboxed plugin: its process, restarts and last crash (absent for in-process plugins). */
  readonly sandbox?: SandboxStatus;
}

/** What {@link Kernel.stop} reports. */
export interface StopReport {
  /** True when something did not finish before `app.shutdownTimeoutMs` and was abandoned. */
  readonly timedOut: boolean;
  /** What did not finish in time: `plugin:<name>`, `service:<name>`, and work aborted at the deadline such as `job:<id>`. */
  readonly unfinished: readonly string[];
  /** Plugin hooks and services that threw while stopping (they were still considered stopped). */
  readonly failed: readonly string[];
}

/** Options of `createKernel`. */
export interface CreateKernelOptions {
  /** The loaded, validated config (from `loadConfig`). */
  readonly loaded: LoadedConfig;
  /** Service packages, created in this order. @defaultValue `[]` */
  readonly services?: readonly ServiceDefinition[];
  /** Root logger. @defaultValue `createLogger(config.logging, { name: config.app.name })` */
  readonly logger?: Logger;
}

/** A running xcore application: services plus plugins. */
export interface Kernel {
  /**
   * Boots: discovers and orders plugins, validates their config, creates and starts services,
   * runs `onLoad` then `onStart` per plugin, then `afterPluginsStarted` on services.
   *
   * @remarks
   * When `options.signal` aborts (a stop requested during boot), boot stops at the next step:
   * between plugin imports, inside a service's `create` (which gets the signal), or while a
   * plugin's `onLoad`/`onStart` runs (the hook is abandoned, as after a timeout). `start()` then
   * rejects with `XCORE_ERR_BOOT_ABORTED`; call {@link Kernel.stop} to stop what had started.
   * @throws config, service, `XCORE_ERR_BOOT_ABORTED` and (with `failFast`) `XCORE_ERR_PLUGIN_START_FAILED` errors.
   */
  start(options?: { signal?: AbortSignal }): Promise<void>;
  /**
   * Stops plugins in reverse start order, then services, then disposes, within the drain deadline.
   *
   * @remarks
   * While it waits it logs `shutdown waiting` every 2 s with the step it is in and the work in
   * progress (running jobs). Past the deadline it stops waiting for any hook (each runs under
   * what is left of it) and resolves; connections still get up to one second to close.
   * Work a service had to abort at the deadline counts as unfinished (`timedOut: true`).
   */
  stop(options?: { signal?: AbortSignal }): Promise<StopReport>;
  /**
   * Stops one plugin, re-imports its entry (new code runs), revalidates its config and starts it.
   * @throws `XCORE_ERR_PLUGIN_RELOAD_REFUSED` when it has started dependents, or the start error.
   */
  reload(plugin: string): Promise<PluginStatus>;
  /**
   * Calls a plugin's `handle(action, payload)` from the host (CLI, admin endpoints, tests), with
   * the same checks and timeout as a plugin's `ctx.call`.
   * @defaultValue `options.timeoutMs`: `plugins.hookTimeoutMs`
   */
  call<T = unknown>(plugin: string, action: string, payload?: unknown, options?: { timeoutMs?: number }): Promise<T>;
  /** Every plugin with its state: startable ones in start order, then skipped ones by name, then the folders `plugins.enabled` does not name (`not-enabled`), by name. */
  plugins(): PluginStatus[];
  /**
   * The operator view of the plugins (list, one plugin, reload with coded refusals), the one
   * services receive as `ServiceCreateContext.plugins`.
   */
  readonly pluginView: PluginOperatorView;
  /** The host's health checks (the core service `health`): what `/livez`, `/readyz` and `/health` serve. */
  readonly health: HealthService;
}
