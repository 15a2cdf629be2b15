import type { Logger } from 'pino';
import { deepFreeze } from '../config/deep-freeze.js';
import { validateSection } from '../config/validate-section.js';
import type { z } from 'zod';
import {
  isXcoreError,
  KernelStateError,
  PluginActionUnknownError,
  PluginCallTimeoutError,
  PluginDependencyFailedError,
  PluginHookFailedError,
  PluginHookTimeoutError,
  PluginNotStartedError,
  PluginReloadRefusedError,
  PluginStartFailedError,
  PluginUnknownError,
} from '../errors.js';
import { createEventBus } from '../events/create-event-bus.js';
import type { EventBus } from '../events/event-bus.js';
import { createLogger } from '../logger/create-logger.js';
import { dependencyOrder, dependentsOf } from '../plugins/dependency-order.js';
import { enabledPlugins } from '../plugins/enabled-plugins.js';
import { createPluginImporter } from '../plugins/load-plugin-module.js';
import type { PluginManifest } from '../plugins/manifest.js';
import type { PluginDefinition } from '../plugins/plugin.js';
import { createContainer } from '../services/container.js';
import type { CreateKernelOptions, Kernel, PluginState, PluginStatus, StopReport } from './kernel-types.js';
import { createPluginContext, type PluginContextHandle } from './plugin-context.js';
import { createServiceHost, type ServiceHost } from './service-host.js';
import { withTimeout } from './with-timeout.js';
import { abortable } from './abortable.js';
import { controlBoot, type BootControl } from './boot-control.js';
import { runWithOrigin } from './code-origin.js';
import { watchShutdown } from './shutdown-watch.js';

interface PluginRecord {
  readonly manifest: PluginManifest;
  state: PluginState;
  error: Error | undefined;
  startMs: number | undefined;
  definition: PluginDefinition | undefined;
  config: unknown;
  handle: PluginContextHandle | undefined;
}

type Hook = 'import' | 'onLoad' | 'onStart' | 'onStop';
type KernelPhase = 'idle' | 'starting' | 'started' | 'stopping' | 'stopped';

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
  const services: ServiceHost = createServiceHost({
    loaded,
    definitions: options.services ?? [],
    container,
    logger,
    events,
    hookTimeoutMs,
  });

  const records = new Map<string, PluginRecord>();
  let order: string[] = [];
  const startedOrder: string[] = [];
  let phase: KernelPhase = 'idle';

  const status = (record: PluginRecord): PluginStatus => ({
    name: record.manifest.name,
    version: record.manifest.version,
    state: record.state,
    error: record.error,
    startMs: record.startMs,
    dependencies: record.manifest.dependencies,
  });

  const pluginLogger = (name: string): Logger => logger.child({ plugin: name });

  /** The boot in progress, if any: a stop requested during `start()` ends it. */
  let boot: BootControl | undefined;
  const isBootAbort = (error: unknown): boolean => boot?.isAbort(error) === true;

  /**
   * Runs a plugin hook with the plugin as the origin of what it starts, under the hook timeout;
   * during boot, a stop request stops the wait (the hook goes on unobserved, as after a timeout).
   */
  const runHook = (record: PluginRecord, hook: 'onLoad' | 'onStart' | 'onStop', timeoutMs = hookTimeoutMs): Promise<void> => {
    const fn = record.definition?.[hook];
    const handle = record.handle;
    if (fn === undefined || handle === undefined) return Promise.resolve();
    const name = record.manifest.name;
    return withTimeout(
      () =>
        runWithOrigin({ plugin: name }, async () => {
          try {
            await fn.call(record.definition, handle.context);
          } catch (error) {
            throw new PluginHookFailedError(name, hook, error);
          }
        }),
      timeoutMs,
      () => new PluginHookTimeoutError(name, hook, timeoutMs),
      hook === 'onStop' ? undefined : boot?.signal,
    );
  };

  const openContext = (record: PluginRecord): void => {
    const name = record.manifest.name;
    record.handle = createPluginContext({
      name,
      config: record.config,
      logger: pluginLogger(name),
      events,
      resolveService: (service, optional) => services.resolveFor(service, name, optional),
      call: (target, action, payload, timeoutMs) => call(name, target, action, payload, timeoutMs),
    });
  };

  const call = async (from: string | undefined, target: string, action: string, payload: unknown, timeoutMs: number | undefined): Promise<unknown> => {
    const record = records.get(target);
    if (record === undefined) throw new PluginUnknownError(target, [...records.keys()].sort(), from);
    if (record.state !== 'started' || record.handle === undefined || record.definition === undefined) {
      throw new PluginNotStartedError(target, record.state);
    }
    const { definition, handle } = record;
    if (definition.handle === undefined) throw new PluginActionUnknownError(target, action, undefined);
    if (definition.actions !== undefined && !definition.actions.includes(action)) {
      throw new PluginActionUnknownError(target, action, definition.actions);
    }
    const limit = timeoutMs ?? hookTimeoutMs;
    return withTimeout(
      () => runWithOrigin({ plugin: target }, () => definition.handle!(action, payload, handle.context)),
      limit,
      () => new PluginCallTimeoutError(target, action, limit),
    );
  };

  /** Marks a plugin failed: closes its context, tells services, emits `plugin.failed`. */
  const fail = async (record: PluginRecord, hook: Hook, error: unknown): Promise<void> => {
    const name = record.manifest.name;
    record.state = 'failed';
    record.error = error instanceof Error ? error : new PluginHookFailedError(name, hook, error);
    const wasOpen = record.handle !== undefined && !record.handle.closed;
    record.handle?.close();
    removeStarted(name);
    logger.error({ err: record.error, plugin: name, hook }, 'plugin failed');
    if (wasOpen) await services.pluginStopped(name);
    events.emit('plugin.failed', { plugin: name, hook, error: record.error });
  };

  const removeStarted = (name: string): void => {
    const at = startedOrder.indexOf(name);
    if (at >= 0) startedOrder.splice(at, 1);
  };

  /** A dependency of `record` that is not in one of `ok` states, if any. */
  const brokenDependency = (record: PluginRecord, ok: readonly PluginState[]): string | undefined =>
    Object.keys(record.manifest.dependencies).find((d) => !ok.includes(records.get(d)?.state ?? 'disabled'));

  const disable = (record: PluginRecord, error: Error): void => {
    record.state = 'disabled';
    record.error = error;
    logger.error({ err: error, plugin: record.manifest.name }, 'plugin disabled');
  };

  const validatePluginConfig = (record: PluginRecord, definition: PluginDefinition): unknown => {
    const name = record.manifest.name;
    const raw = config.plugins.config[name];
    const schema = definition.configSchema as z.ZodType | undefined;
    if (schema === undefined) return deepFreeze(raw === undefined ? {} : structuredClone(raw));
    return validateSection(loaded, ['plugins', 'config', name], schema);
  };

  /** With failFast: stop what started and throw; otherwise nothing. */
  const failFastCheck = async (): Promise<void> => {
    if (!config.plugins.failFast) return;
    const broken = [...records.values()].find((r) => r.state === 'failed' || r.state === 'disabled');
    if (broken === undefined) return;
    const error = new PluginStartFailedError(broken.manifest.name, broken.error);
    await stop();
    throw error;
  };

  const startPlugin = async (record: PluginRecord): Promise<boolean> => {
    const name = record.manifest.name;
    const began = performance.now();
    try {
      await runHook(record, 'onStart');
    } catch (error) {
      if (isBootAbort(error)) throw error;
      await fail(record, 'onStart', error);
      return false;
    }
    const ms = Math.round((performance.now() - began) * 10) / 10;
    record.state = 'started';
    record.error = undefined;
    record.startMs = ms;
    startedOrder.push(name);
    logger.info({ plugin: name, ms }, 'plugin started');
    events.emit('plugin.started', { plugin: name, durationMs: ms });
    return true;
  };

  const stopPlugin = async (record: PluginRecord, timeoutMs: number): Promise<'ok' | 'timeout' | 'failed'> => {
    const name = record.manifest.name;
    let outcome: 'ok' | 'timeout' | 'failed' = 'ok';
    try {
      await runHook(record, 'onStop', timeoutMs);
    } catch (err) {
      outcome = isXcoreError(err, 'XCORE_ERR_PLUGIN_HOOK_TIMEOUT') ? 'timeout' : 'failed';
      logger.error({ err, plugin: name }, outcome === 'timeout' ? 'plugin did not stop in time' : 'plugin failed to stop');
    }
    record.state = 'stopped';
    record.handle?.close();
    removeStarted(name);
    await services.pluginStopped(name);
    logger.info({ plugin: name }, 'plugin stopped');
    events.emit('plugin.stopped', { plugin: name });
    return outcome;
  };

  const start = async (startOptions: { signal?: AbortSignal } = {}): Promise<void> => {
    if (phase !== 'idle') throw new KernelStateError(`start() was already called (the kernel is ${phase})`);
    phase = 'starting';
    const control = controlBoot(startOptions.signal);
    boot = control;
    try {
      await bootSequence(control);
    } finally {
      control.close();
      boot = undefined;
    }
    phase = 'started';
  };

  /** The boot sequence of {@link start}, with a checkpoint before each step. */
  const bootSequence = async ({ checkpoint, signal }: BootControl): Promise<void> => {
    checkpoint('discovering plugins');
    const manifests = enabledPlugins(loaded);
    const plan = dependencyOrder(manifests);
    for (const manifest of manifests) {
      records.set(manifest.name, { manifest, state: 'loaded', error: undefined, startMs: undefined, definition: undefined, config: undefined, handle: undefined });
    }
    for (const [name, error] of plan.disabled) disable(records.get(name)!, error);
    order = [...plan.order];
    await failFastCheck();

    // Import and validate config before services start, so config errors surface before any connection opens.
    const importer = createPluginImporter();
    for (const name of order) {
      checkpoint(`importing plugin "${name}"`);
      const record = records.get(name)!;
      let definition: PluginDefinition;
      try {
        definition = await abortable(importer.load(record.manifest), signal);
      } catch (error) {
        if (isBootAbort(error)) throw error;
        await fail(record, 'import', error);
        continue;
      }
      record.config = validatePluginConfig(record, definition);
      record.definition = definition;
    }
    await failFastCheck();

    checkpoint('creating services');
    await services.create(signal);
    checkpoint('starting services');
    await services.start();

    for (const name of order) {
      const record = records.get(name)!;
      if (record.state !== 'loaded') continue;
      const broken = brokenDependency(record, ['loaded']);
      if (broken !== undefined) {
        disable(record, new PluginDependencyFailedError(name, broken));
        continue;
      }
      checkpoint(`loading plugin "${name}"`);
      openContext(record);
      try {
        await runHook(record, 'onLoad');
      } catch (error) {
        if (isBootAbort(error)) throw error;
        await fail(record, 'onLoad', error);
      }
    }
    await failFastCheck();

    for (const name of order) {
      const record = records.get(name)!;
      if (record.state !== 'loaded') continue;
      const broken = brokenDependency(record, ['started']);
      if (broken !== undefined) {
        record.handle?.close();
        await services.pluginStopped(name);
        disable(record, new PluginDependencyFailedError(name, broken));
        continue;
      }
      checkpoint(`starting plugin "${name}"`);
      logMissingOptionalServices(record);
      const ok = await startPlugin(record);
      if (!ok && config.plugins.failFast) await failFastCheck();
    }
    checkpoint('starting services firing');
    await services.afterPluginsStarted();
  };

  /** Logs, once per start, each optional service the plugin declared that is not registered. */
  const logMissingOptionalServices = (record: PluginRecord): void => {
    for (const service of record.definition?.optionalServices ?? []) {
      if (container.has(service)) continue;
      logger.info({ plugin: record.manifest.name, service }, 'plugin runs without its optional service (not configured or disabled)');
    }
  };

  const stop = async (stopOptions: { signal?: AbortSignal } = {}): Promise<StopReport> => {
    if (phase === 'stopped' || phase === 'stopping' || phase === 'idle') {
      phase = 'stopped';
      return { timedOut: false, unfinished: [], failed: [] };
    }
    phase = 'stopping';
    const watch = watchShutdown({
      logger,
      timeoutMs: config.app.shutdownTimeoutMs,
      ...(stopOptions.signal === undefined ? {} : { external: stopOptions.signal }),
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
      for (const name of [...startedOrder].reverse()) {
        watch.step(`plugin "${name}" stopping (onStop)`);
        const outcome = await stopPlugin(records.get(name)!, Math.min(hookTimeoutMs, watch.remaining()));
        if (outcome === 'timeout') unfinished.push(`plugin:${name}`);
        if (outcome === 'failed') failed.push(`plugin:${name}`);
      }
      // Plugins that were loaded but never started (boot aborted between onLoad and onStart).
      for (const record of records.values()) {
        if (record.state === 'loaded' && record.handle !== undefined && !record.handle.closed) {
          record.handle.close();
          record.state = 'stopped';
          await services.pluginStopped(record.manifest.name);
        }
      }
      watch.step('services stopping');
      unfinished.push(...(await services.stop(signal, deadlineAt)));
      watch.step('services closing their connections (dispose)');
      unfinished.push(...(await services.dispose(deadlineAt)));
    } finally {
      // Whatever still runs after stop() returns was abandoned: the watch aborts the signal.
      watch.close();
      phase = 'stopped';
    }
    // A service reports what it aborted from each shutdown step it drains in (the scheduler from both).
    const late = [...new Set(unfinished)];
    if (late.length > 0) logger.warn({ unfinished: late }, 'shutdown passed the drain deadline');
    return { timedOut: late.length > 0, unfinished: late, failed };
  };

  const reload = async (name: string): Promise<PluginStatus> => {
    const record = records.get(name);
    if (record === undefined) throw new PluginReloadRefusedError(name, `no such plugin (known: ${[...records.keys()].sort().join(', ') || 'none'})`);
    if (phase !== 'started') throw new PluginReloadRefusedError(name, `the kernel is ${phase}, not started`);
    // A plugin skipped because a dependency failed can start once that dependency runs again;
    // one with a missing, out-of-range or cyclic dependency cannot until its manifest changes.
    if (record.state === 'disabled' && !isXcoreError(record.error, 'XCORE_ERR_PLUGIN_DEPENDENCY_FAILED')) {
      throw new PluginReloadRefusedError(name, `it is disabled: ${record.error?.message ?? 'dependency problem'}`);
    }
    const manifests = [...records.values()].map((r) => r.manifest);
    const running = dependentsOf(manifests, name).filter((d) => records.get(d)?.state === 'started');
    if (running.length > 0) throw new PluginReloadRefusedError(name, `plugins that depend on it are started (${running.join(', ')}); stop or reload them first`);
    const broken = brokenDependency(record, ['started']);
    if (broken !== undefined) throw new PluginReloadRefusedError(name, `its dependency "${broken}" is not started`);

    if (record.state === 'started') await stopPlugin(record, hookTimeoutMs);
    let definition: PluginDefinition;
    try {
      definition = await createPluginImporter().load(record.manifest);
      record.config = validatePluginConfig(record, definition);
    } catch (error) {
      await fail(record, 'import', error);
      throw error;
    }
    record.definition = definition;
    record.state = 'loaded';
    record.error = undefined;
    openContext(record);
    try {
      await runHook(record, 'onLoad');
    } catch (error) {
      await fail(record, 'onLoad', error);
      throw record.error;
    }
    if (!(await startPlugin(record))) throw record.error;
    logger.info({ plugin: name }, 'plugin reloaded');
    return status(record);
  };

  return {
    start,
    stop,
    reload,
    async call<T>(plugin: string, action: string, payload?: unknown, callOptions?: { timeoutMs?: number }): Promise<T> {
      return (await call(undefined, plugin, action, payload, callOptions?.timeoutMs)) as T;
    },
    plugins() {
      const started = order.map((n) => records.get(n)!).filter((r) => r !== undefined);
      const rest = [...records.values()].filter((r) => !order.includes(r.manifest.name));
      return [...started, ...rest.sort((a, b) => (a.manifest.name < b.manifest.name ? -1 : 1))].map(status);
    },
  };
}
