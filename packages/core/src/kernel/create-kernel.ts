import { dirname } from 'node:path';
import type { Logger } from 'pino';
import { PluginDependencyFailedError, PluginStartFailedError } from '../errors.js';
import { createEventBus } from '../events/create-event-bus.js';
import { EventLoopWatch } from '../health/event-loop-watch.js';
import { createHealthService } from '../health/host-health.js';
import type { EventBus } from '../events/event-bus.js';
import { createLogger } from '../logger/create-logger.js';
import { appCheckError, checkApp } from '../check/check-app.js';
import { createPluginImporter } from '../plugins/load-plugin-module.js';
import { createContainer } from '../services/container.js';
import { controlBoot, type BootControl } from './boot-control.js';
import { kernelHealthChecks } from './kernel-health.js';
import { KernelPhases } from './kernel-phase.js';
import type { CreateKernelOptions, Kernel, StopReport } from './kernel-types.js';
import { PluginLifecycle } from './plugin-lifecycle.js';
import { createPluginOperatorView } from './plugin-operator-view.js';
import type { PluginRecord } from './plugin-records.js';
import { PluginRecords } from './plugin-records.js';
import { createServiceHost, type ServiceHost } from './service-host.js';
import { watchShutdown } from './shutdown-watch.js';

/**
 * Creates the xcore kernel for a loaded config: the service container plus the plugin host.
 *
 * @remarks
 * Boot order: first `checkApp` (what `xcore validate` runs): plugins are discovered in
 * `plugins.directory`, filtered by `plugins.enabled`, ordered by their dependencies and imported,
 * their config sections validated, and each service's `check` runs (the scheduler resolves YAML
 * job modules). Its fatal problems fail boot (one alone as its own coded error, several as
 * `XCORE_ERR_APP_INVALID`); a plugin with a dependency problem or a failed import is left out. Then the
 * core services (`config`, `logger`, `events`) and the given services are created and started,
 * every plugin's `onLoad` runs, then `onStart` in dependency order, then each service's
 * `afterPluginsStarted` (the scheduler starts firing there).
 *
 * Shutdown order, all within `app.shutdownTimeoutMs`: each service's `beforePluginsStop` (the
 * scheduler stops claiming and lets running jobs finish while their plugins still run), then
 * plugins' `onStop` in reverse start order, then services' `stop` and `dispose` in reverse order.
 *
 * Isolation: a plugin with a dependency problem is `skipped`; one whose import, `onLoad` or
 * `onStart` throws or times out (`plugins.hookTimeoutMs`) is `failed`, and the plugins that
 * depend on it are `skipped`; everything else runs. A plugin folder that `plugins.enabled` does
 * not name is listed as `not-enabled` and logged once at info. With `plugins.failFast`, the first such
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
 * {@link KernelPhases} (idle, starting, started, stopping, stopped), the boot control (a stop
 * requested during boot, `boot-control.ts`), the shutdown watch (drain deadline and progress
 * lines, `shutdown-watch.ts`) and the operator view (`kernel.pluginView`, handed to services as
 * `ServiceCreateContext.plugins`). This function wires them and runs the boot and shutdown
 * sequences; a fail-fast boot shuts down through the same sequence `stop()` runs.
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
  const health = createHealthService(config.health);
  const loopWatch = new EventLoopWatch(config.health.eventLoopBlockedAfter);
  health.register(loopWatch.check());
  for (const check of kernelHealthChecks({ phase: () => phases.current, plugins: () => records.statuses() })) health.register(check);
  container.register('health', health);
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

  /** With failFast and a broken plugin: shuts down what started and returns the error boot fails with. */
  const failFast = async (): Promise<PluginStartFailedError | undefined> => {
    if (!config.plugins.failFast) return undefined;
    const broken = records.all().find((r) => r.state === 'failed' || r.state === 'skipped');
    if (broken === undefined) return undefined;
    const error = new PluginStartFailedError(broken.manifest.name, broken.error);
    await shutdown();
    return error;
  };

  /**
   * Discovers, imports, loads and starts plugins around the services' lifecycle, with a checkpoint
   * before each step (a stop requested during boot ends it there); see {@link createKernel}.
   */
  const boot = async ({ checkpoint, signal }: BootControl): Promise<PluginStartFailedError | undefined> => {
    checkpoint('checking the app');
    // The check `xcore validate` runs: discovery, order, imports, plugin configs, service checks.
    const importer = createPluginImporter();
    const check = await checkApp(loaded, {
      services: options.services ?? [],
      signal,
      step: checkpoint,
      onPlan: (manifests, plan) => records.init(manifests, plan.order),
      load: (manifest) => lifecycle.loadDefinition(records.get(manifest.name)!, importer),
    });
    const refused = appCheckError(check, false);
    if (refused !== undefined) throw refused;
    const { plan, imported, notEnabled } = check.plugins;
    records.setNotEnabled(notEnabled);
    for (const manifest of notEnabled) {
      logger.info({ plugin: manifest.name, folder: dirname(manifest.file) }, 'plugin folder present but not enabled; add its name to plugins.enabled to run it');
    }
    for (const [name, error] of plan.disabled) lifecycle.skip(records.get(name)!, error);
    for (const record of records.inOrder()) {
      const result = imported.get(record.manifest.name);
      if (result === undefined) continue;
      if (result.ok) lifecycle.imported(record, result.definition, result.config);
      else await lifecycle.fail(record, 'import', result.error);
    }
    let aborted = await failFast();
    if (aborted) return aborted;

    checkpoint('creating services');
    await services.create(signal, check.prepared);
    checkpoint('starting services');
    await services.start();

    for (const record of records.inOrder()) {
      if (record.state !== 'loaded') continue;
      const broken = records.brokenDependency(record, ['loaded']);
      if (broken !== undefined) {
        lifecycle.skip(record, new PluginDependencyFailedError(record.manifest.name, broken));
        continue;
      }
      checkpoint(`loading plugin "${record.manifest.name}"`);
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
        lifecycle.skip(record, new PluginDependencyFailedError(name, broken));
        continue;
      }
      checkpoint(`starting plugin "${name}"`);
      logMissingOptionalServices(record);
      if (!(await lifecycle.start(record)) && (aborted = await failFast())) return aborted;
    }
    checkpoint('starting services firing');
    await services.afterPluginsStarted();
    return undefined;
  };

  /** Logs, once per start, each optional service the plugin declared that is not registered. */
  const logMissingOptionalServices = (record: PluginRecord): void => {
    for (const service of record.definition?.optionalServices ?? []) {
      if (container.has(service)) continue;
      logger.info({ plugin: record.manifest.name, service }, 'plugin runs without its optional service (not configured or disabled)');
    }
  };

  /**
   * Stops services' work, plugins in reverse start order, then services, within
   * `app.shutdownTimeoutMs` (`external` ends the wait early), logging what it waits for.
   */
  const shutdown = async (external?: AbortSignal): Promise<StopReport> => {
    if (!phases.beginStop()) return { timedOut: false, unfinished: [], failed: [] };
    lifecycle.beginShutdown();
    const watch = watchShutdown({
      logger,
      timeoutMs: config.app.shutdownTimeoutMs,
      ...(external === undefined ? {} : { external }),
      inProgress: () => services.inProgress(),
      firstStep: 'services finishing their work',
    });
    const { signal, deadlineAt } = watch;
    const unfinished: string[] = [];
    const failed: string[] = [];
    try {
      // Services drain first (the scheduler stops claiming and lets running jobs finish), while
      // the plugins those jobs belong to still run; then plugins stop, then services.
      unfinished.push(...(await services.beforePluginsStop(signal, deadlineAt)));
      for (const name of records.startedReverse()) {
        watch.step(`plugin "${name}" stopping (onStop)`);
        const outcome = await lifecycle.stop(records.get(name)!, Math.min(hookTimeoutMs, watch.remaining()));
        if (outcome === 'timeout') unfinished.push(`plugin:${name}`);
        if (outcome === 'failed') failed.push(`plugin:${name}`);
      }
      // Plugins that were loaded but never started (boot aborted between onLoad and onStart).
      for (const record of records.all()) await lifecycle.abandon(record);
      watch.step('services stopping');
      unfinished.push(...(await services.stop(signal, deadlineAt)));
      watch.step('services closing their connections (dispose)');
      unfinished.push(...(await services.dispose(deadlineAt)));
    } finally {
      // Whatever still runs after stop() returns was abandoned: the watch aborts the signal.
      watch.close();
      loopWatch.stop();
      phases.stopped();
    }
    // A service reports what it aborted from each shutdown step it drains in (the scheduler from both).
    const late = [...new Set(unfinished)];
    if (late.length > 0) logger.warn({ unfinished: late }, 'shutdown passed the drain deadline');
    return { timedOut: late.length > 0, unfinished: late, failed };
  };

  return {
    async start(startOptions = {}) {
      phases.beginStart();
      loopWatch.start();
      const control = controlBoot(startOptions.signal);
      lifecycle.followBoot(control);
      let failedFast: PluginStartFailedError | undefined;
      try {
        failedFast = await boot(control);
      } finally {
        control.close();
        lifecycle.followBoot(undefined);
      }
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
    health,
  };
}
