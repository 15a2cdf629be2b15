import type { Logger } from 'pino';
import { PluginConfigOrphanError, PluginDependencyFailedError, PluginNotFoundError, PluginStartFailedError } from '../errors.js';
import { createEventBus } from '../events/create-event-bus.js';
import type { EventBus } from '../events/event-bus.js';
import { createLogger } from '../logger/create-logger.js';
import { dependencyOrder } from '../plugins/dependency-order.js';
import { discoverPlugins } from '../plugins/discover-plugins.js';
import { createPluginImporter } from '../plugins/load-plugin-module.js';
import type { PluginManifest } from '../plugins/manifest.js';
import { createContainer } from '../services/container.js';
import { KernelPhases } from './kernel-phase.js';
import type { CreateKernelOptions, Kernel, StopReport } from './kernel-types.js';
import { setLongTimeout } from './long-timeout.js';
import { PluginLifecycle } from './plugin-lifecycle.js';
import { createPluginOperatorView } from './plugin-operator-view.js';
import { PluginRecords } from './plugin-records.js';
import { createServiceHost, type ServiceHost } from './service-host.js';

/**
 * Creates the xcore kernel for a loaded config: the service container plus the plugin host.
 *
 * @remarks
 * Boot order: plugins are discovered in `plugins.directory`, filtered by `plugins.enabled`,
 * ordered by their dependencies and imported; their config sections are validated (an invalid
 * section, or one for a plugin that is not enabled, fails boot like any config error). Then the
 * core services (`config`, `logger`, `events`) and the given services are created and started,
 * every plugin's `onLoad` runs, then `onStart` in dependency order, then each service's
 * `afterPluginsStarted` (the scheduler starts firing there).
 *
 * Shutdown order, all within `app.shutdownTimeoutMs`: each service's `beforePluginsStop` (the
 * scheduler stops claiming and lets running jobs finish while their plugins still run), then
 * plugins' `onStop` in reverse start order, then services' `stop` and `dispose` in reverse order.
 *
 * Isolation: a plugin with a dependency problem is `disabled`; one whose import, `onLoad` or
 * `onStart` throws or times out (`plugins.hookTimeoutMs`) is `failed`, and the plugins that
 * depend on it are `disabled`; everything else runs. With `plugins.failFast`, the first such
 * problem stops what started and `start()` throws `XCORE_ERR_PLUGIN_START_FAILED`.
 * After a plugin stops or fails, every service's `onPluginStopped(name)` is called.
 *
 * Reload: `reload(name)` is refused while plugins that depend on `name` are started (stop or
 * reload them from the leaves up) or while one of its dependencies is not started; it re-imports
 * the entry, so the new code runs, but reads neither the manifest nor the config file again.
 * A plugin skipped because its dependency failed can be started with `reload` once the
 * dependency runs again.
 *
 * Parts, each with its own state: {@link PluginRecords} (records, dependency and start order),
 * {@link PluginLifecycle} (one plugin's import, hooks, failure, calls and reload),
 * {@link KernelPhases} (idle, starting, started, stopping, stopped) and the operator view
 * (`kernel.pluginView`, handed to services as `ServiceCreateContext.plugins`). This function wires
 * them and runs the boot and shutdown sequences; a fail-fast boot shuts down through the same
 * sequence `stop()` runs.
 *
 * @example
 * ```ts
 * const loaded = await loadConfig('xcore.yaml', { services: [schedulerService] });
 * const kernel = createKernel({ loaded, services: [schedulerService] });
 * await kernel.start();
 * process.once('SIGTERM', () => void kernel.stop());
 * ```
 */
export function createKernel(options: CreateKernelOptions): Kernel {
  const { loaded } = options;
  const { config } = loaded;
  const logger: Logger = options.logger ?? createLogger(config.logging, { name: config.app.name });
  const events: EventBus = createEventBus(logger);
  const container = createContainer();
  container.register('config', config);
  container.register('logger', logger);
  container.register('events', events);
  const hookTimeoutMs = config.plugins.hookTimeoutMs;
  const phases = new KernelPhases();
  const records = new PluginRecords();
  const pluginView = createPluginOperatorView({
    statuses: () => records.statuses(),
    names: () => records.names(),
    reload: (name) => lifecycle.reload(name, phases.current),
  });
  const services: ServiceHost = createServiceHost({
    loaded,
    definitions: options.services ?? [],
    container,
    logger,
    events,
    hookTimeoutMs,
    plugins: pluginView,
  });
  const lifecycle = new PluginLifecycle({ loaded, logger, events, services, records, hookTimeoutMs });

  const discover = (): PluginManifest[] => {
    const { directory, enabled } = config.plugins;
    const found = discoverPlugins(directory);
    if (enabled === '*') return found;
    const byName = new Map(found.map((m) => [m.name, m]));
    return enabled.map((name, i) => {
      const manifest = byName.get(name);
      if (manifest === undefined) {
        const at = loaded.locate(['plugins', 'enabled', i]);
        throw new PluginNotFoundError(name, directory, [...byName.keys()], at === undefined ? loaded.file : `${loaded.file}:${at.line}:${at.col}`);
      }
      return manifest;
    });
  };

  const checkOrphanConfig = (names: readonly string[]): void => {
    for (const name of Object.keys(config.plugins.config)) {
      if (names.includes(name)) continue;
      const at = loaded.locate(['plugins', 'config', name]);
      throw new PluginConfigOrphanError(name, at === undefined ? loaded.file : `${loaded.file}:${at.line}:${at.col}`, [...names].sort());
    }
  };

  /** With failFast and a broken plugin: shuts down what started and returns the error boot fails with. */
  const failFast = async (): Promise<PluginStartFailedError | undefined> => {
    if (!config.plugins.failFast) return undefined;
    const broken = records.all().find((r) => r.state === 'failed' || r.state === 'disabled');
    if (broken === undefined) return undefined;
    const error = new PluginStartFailedError(broken.manifest.name, broken.error);
    await shutdown();
    return error;
  };

  /** Discovers, imports, loads and starts plugins around the services' lifecycle; see {@link createKernel}. */
  const boot = async (): Promise<PluginStartFailedError | undefined> => {
    const manifests = discover();
    checkOrphanConfig(manifests.map((m) => m.name));
    const plan = dependencyOrder(manifests);
    records.init(manifests, plan.order);
    for (const [name, error] of plan.disabled) lifecycle.disable(records.get(name)!, error);
    let aborted = await failFast();
    if (aborted) return aborted;

    // Import and validate config before services start, so config errors surface before any connection opens.
    const importer = createPluginImporter();
    for (const record of records.inOrder()) await lifecycle.importPlugin(record, importer);
    if ((aborted = await failFast())) return aborted;

    await services.create();
    await services.start();

    for (const record of records.inOrder()) {
      if (record.state !== 'loaded') continue;
      const broken = records.brokenDependency(record, ['loaded']);
      if (broken !== undefined) {
        lifecycle.disable(record, new PluginDependencyFailedError(record.manifest.name, broken));
        continue;
      }
      await lifecycle.load(record);
    }
    if ((aborted = await failFast())) return aborted;

    for (const record of records.inOrder()) {
      if (record.state !== 'loaded') continue;
      const name = record.manifest.name;
      const broken = records.brokenDependency(record, ['started']);
      if (broken !== undefined) {
        record.handle?.close();
        await services.pluginStopped(name);
        lifecycle.disable(record, new PluginDependencyFailedError(name, broken));
        continue;
      }
      if (!(await lifecycle.start(record)) && (aborted = await failFast())) return aborted;
    }
    await services.afterPluginsStarted();
    return undefined;
  };

  /** Stops services' work, plugins in reverse start order, then services, within `app.shutdownTimeoutMs`. */
  const shutdown = async (signal?: AbortSignal): Promise<StopReport> => {
    if (!phases.beginStop()) return { timedOut: false, unfinished: [], failed: [] };
    const deadlineAt = Date.now() + config.app.shutdownTimeoutMs;
    const controller = new AbortController();
    const timer = setLongTimeout(() => controller.abort(), config.app.shutdownTimeoutMs);
    const onExternalAbort = (): void => controller.abort();
    signal?.addEventListener('abort', onExternalAbort, { once: true });
    if (signal?.aborted) controller.abort();
    const unfinished: string[] = [];
    const failed: string[] = [];
    try {
      // Services drain first (the scheduler stops claiming and lets running jobs finish), while
      // the plugins those jobs belong to still run; then plugins stop, then services.
      unfinished.push(...(await services.beforePluginsStop(controller.signal, deadlineAt)));
      for (const name of records.startedReverse()) {
        const remaining = controller.signal.aborted ? 0 : Math.max(0, deadlineAt - Date.now());
        const outcome = await lifecycle.stop(records.get(name)!, Math.min(hookTimeoutMs, remaining));
        if (outcome === 'timeout') unfinished.push(`plugin:${name}`);
        if (outcome === 'failed') failed.push(`plugin:${name}`);
      }
      // Plugins that were loaded but never started (boot aborted between onLoad and onStart).
      for (const record of records.all()) await lifecycle.abandon(record);
      unfinished.push(...(await services.stop(controller.signal, deadlineAt)));
      unfinished.push(...(await services.dispose(deadlineAt)));
    } finally {
      timer.clear();
      // Whatever still runs after stop() returns was abandoned: tell it through the signal.
      controller.abort();
      signal?.removeEventListener('abort', onExternalAbort);
      phases.stopped();
    }
    if (unfinished.length > 0) logger.warn({ unfinished }, 'shutdown passed the drain deadline');
    return { timedOut: unfinished.length > 0, unfinished, failed };
  };

  return {
    async start() {
      phases.beginStart();
      const failedFast = await boot();
      if (failedFast !== undefined) throw failedFast;
      phases.started();
    },
    stop: (stopOptions = {}) => shutdown(stopOptions.signal),
    reload: (name) => lifecycle.reload(name, phases.current),
    async call<T>(plugin: string, action: string, payload?: unknown, callOptions?: { timeoutMs?: number }): Promise<T> {
      return (await lifecycle.call(undefined, plugin, action, payload, callOptions?.timeoutMs)) as T;
    },
    plugins: () => records.statuses(),
    pluginView,
  };
}
