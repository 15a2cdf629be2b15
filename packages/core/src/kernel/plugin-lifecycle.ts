/**
 * What happens to one plugin: import, `onLoad`, `onStart`, `onStop`, failure, reload, and the
 * calls other plugins and the host make to it. Each step runs its hook under the hook timeout and
 * moves the plugin's record to its next state.
 */
import type { Logger } from 'pino';
import type { LoadedConfig } from '../config/types.js';
import { pluginConfig } from '../check/check-plugins.js';
import {
  isXcoreError,
  PluginActionUnknownError,
  PluginCallTimeoutError,
  PluginHookFailedError,
  PluginHookTimeoutError,
  PluginNotStartedError,
  PluginReloadRefusedError,
  PluginUnknownError,
} from '../errors.js';
import type { EventBus } from '../events/event-bus.js';
import { dependentsOf } from '../plugins/dependency-order.js';
import { createPluginImporter, type PluginImporter } from '../plugins/load-plugin-module.js';
import type { PluginDefinition } from '../plugins/plugin.js';
import { prepareSandboxedPlugin } from '../sandbox/sandboxed-plugin.js';
import { loggerErrorStacks } from '../reporting/render-error.js';
import type { BootControl } from './boot-control.js';
import { runWithOrigin } from './code-origin.js';
import type { PluginStatus } from './kernel-types.js';
import { createPluginContext } from './plugin-context.js';
import { blockingDependency, type PluginRecord, type PluginRecords } from './plugin-records.js';
import type { ServiceHost } from './service-host.js';
import { withTimeout } from './with-timeout.js';

/** A step of a plugin's lifecycle that can fail it (`sandbox`: its sandbox process crashed too often). */
export type PluginStep = 'import' | 'onLoad' | 'onStart' | 'onStop' | 'sandbox';

/** What {@link PluginLifecycle} works with (owned by the kernel). */
export interface PluginLifecycleDeps {
  readonly loaded: LoadedConfig;
  readonly logger: Logger;
  readonly events: EventBus;
  readonly services: ServiceHost;
  readonly records: PluginRecords;
  /** `plugins.hookTimeoutMs`. */
  readonly hookTimeoutMs: number;
}

/**
 * Runs plugins through their lifecycle, one record at a time.
 *
 * @remarks
 * A failure never escapes a step: the plugin is marked `failed` (its context closed, services
 * told, `plugin.failed` emitted) and the step reports `false`. Two exceptions: config errors fail
 * boot like any config error, and a stop requested during boot ({@link PluginLifecycle.followBoot})
 * ends the step with `XCORE_ERR_BOOT_ABORTED` (the import or hook goes on unobserved, as after a
 * timeout). Hooks and actions run with the plugin as their code origin.
 */
export class PluginLifecycle {
  /** The boot in progress, if any: a stop requested during `start()` ends its waits. */
  #boot: BootControl | undefined;
  /** Set once the kernel shuts down: crashed sandboxes are no longer restarted. */
  #shuttingDown = false;

  constructor(private readonly deps: PluginLifecycleDeps) {}

  /** Follows the boot in progress (`undefined` once it ended): its stop request ends imports and hooks. */
  followBoot(control: BootControl | undefined): void {
    this.#boot = control;
  }

  /** Stops restarting crashed sandboxes (the kernel is shutting down) and cancels pending restarts. */
  beginShutdown(): void {
    this.#shuttingDown = true;
    for (const record of this.deps.records.all()) {
      clearTimeout(record.sandbox?.restartTimer);
      if (record.sandbox !== undefined) record.sandbox.restartTimer = undefined;
    }
  }

  /** True when the plugin runs sandboxed: its manifest says so, or `plugins.sandboxed` lists it. */
  isSandboxed(record: PluginRecord): boolean {
    return record.manifest.sandbox || this.deps.loaded.config.plugins.sandboxed.includes(record.manifest.name);
  }

  /**
   * The definition the kernel runs: the imported entry's, or for a sandboxed plugin the one whose
   * hooks run in its sandbox process (folder checked and entry bundled here).
   */
  async loadDefinition(record: PluginRecord, importer: PluginImporter): Promise<PluginDefinition> {
    if (!this.isSandboxed(record)) return importer.load(record.manifest);
    const { loaded, logger } = this.deps;
    const name = record.manifest.name;
    await record.sandbox?.terminate();
    record.sandbox = await prepareSandboxedPlugin({
      manifest: record.manifest,
      config: loaded.config,
      logger: logger.child({ plugin: name }),
      logLevel: logger.level,
      debugErrors: loggerErrorStacks(logger),
      onCrash: (error) => void this.sandboxCrashed(record, error),
    });
    return record.sandbox.definition;
  }

  /** Records what `checkApp` imported for the plugin: its definition and validated config. */
  imported(record: PluginRecord, definition: PluginDefinition, config: unknown): void {
    record.definition = definition;
    record.config = config;
  }

  /** Opens a fresh context and runs `onLoad`; `false` when it failed. */
  async load(record: PluginRecord): Promise<boolean> {
    this.openContext(record);
    try {
      await this.runHook(record, 'onLoad');
      return true;
    } catch (error) {
      if (this.isBootAbort(error)) throw error;
      await this.fail(record, 'onLoad', error);
      return false;
    }
  }

  /** Runs `onStart`; on success the plugin is `started` (`plugin.started` emitted), else `failed`. */
  async start(record: PluginRecord): Promise<boolean> {
    const { logger, events, records } = this.deps;
    const name = record.manifest.name;
    const began = performance.now();
    try {
      await this.runHook(record, 'onStart');
    } catch (error) {
      if (this.isBootAbort(error)) throw error;
      await this.fail(record, 'onStart', error);
      return false;
    }
    const ms = Math.round((performance.now() - began) * 10) / 10;
    record.state = 'started';
    record.error = undefined;
    record.startMs = ms;
    records.markStarted(name);
    logger.info({ plugin: name, ms }, 'plugin started');
    events.emit('plugin.started', { plugin: name, durationMs: ms });
    return true;
  }

  /** Runs `onStop` within `timeoutMs`, then marks the plugin stopped whatever happened and tells services. */
  async stop(record: PluginRecord, timeoutMs: number): Promise<'ok' | 'timeout' | 'failed'> {
    const { logger, events, records, services } = this.deps;
    const name = record.manifest.name;
    let outcome: 'ok' | 'timeout' | 'failed' = 'ok';
    try {
      await this.runHook(record, 'onStop', timeoutMs);
    } catch (err) {
      outcome = isXcoreError(err, 'XCORE_ERR_PLUGIN_HOOK_TIMEOUT') ? 'timeout' : 'failed';
      logger.error({ err, plugin: name }, outcome === 'timeout' ? 'plugin did not stop in time' : 'plugin failed to stop');
    }
    await this.endSandbox(record);
    record.state = 'stopped';
    record.handle?.close();
    records.removeStarted(name);
    await services.pluginStopped(name);
    logger.info({ plugin: name }, 'plugin stopped');
    events.emit('plugin.stopped', { plugin: name });
    return outcome;
  }

  /** Closes the context of a plugin that was loaded but never started (boot ended before `onStart`). */
  async abandon(record: PluginRecord): Promise<void> {
    if (record.state !== 'loaded' || record.handle === undefined || record.handle.closed) return;
    await this.endSandbox(record);
    record.handle.close();
    record.state = 'stopped';
    await this.deps.services.pluginStopped(record.manifest.name);
  }

  /** Marks a plugin `skipped` because of a dependency (named on the error) and logs which. */
  skip(record: PluginRecord, error: Error): void {
    record.state = 'skipped';
    record.error = error;
    this.deps.logger.error({ err: error, plugin: record.manifest.name, dependency: blockingDependency(error) }, 'plugin skipped');
  }

  /** Marks a plugin failed: closes its context, tells services, emits `plugin.failed`. */
  async fail(record: PluginRecord, step: PluginStep, error: unknown): Promise<void> {
    const { logger, events, records, services } = this.deps;
    const name = record.manifest.name;
    record.state = 'failed';
    record.error = error instanceof Error ? error : new PluginHookFailedError(name, step, error);
    const wasOpen = record.handle !== undefined && !record.handle.closed;
    record.handle?.close();
    records.removeStarted(name);
    await this.endSandbox(record);
    logger.error({ err: record.error, plugin: name, hook: step }, 'plugin failed');
    if (wasOpen) await services.pluginStopped(name);
    events.emit('plugin.failed', { plugin: name, hook: step, error: record.error });
  }

  /**
   * Calls `target`'s `handle(action, payload)` for `from` (a plugin, or `undefined` for the host),
   * under `timeoutMs` (default: the hook timeout).
   */
  async call(from: string | undefined, target: string, action: string, payload: unknown, timeoutMs: number | undefined): Promise<unknown> {
    const record = this.deps.records.get(target);
    if (record === undefined) throw new PluginUnknownError(target, this.deps.records.names(), from);
    if (record.state !== 'started' || record.handle === undefined || record.definition === undefined) {
      throw new PluginNotStartedError(target, record.state);
    }
    const { definition, handle } = record;
    if (definition.handle === undefined) throw new PluginActionUnknownError(target, action, undefined);
    if (definition.actions !== undefined && !definition.actions.includes(action)) {
      throw new PluginActionUnknownError(target, action, definition.actions);
    }
    const limit = timeoutMs ?? this.deps.hookTimeoutMs;
    return withTimeout(
      () => runWithOrigin({ plugin: target }, () => definition.handle!(action, payload, handle.context)),
      limit,
      () => new PluginCallTimeoutError(target, action, limit),
    );
  }

  /**
   * Stops the plugin if started, re-imports its entry, revalidates its config and starts it again.
   *
   * @throws `XCORE_ERR_PLUGIN_RELOAD_REFUSED` when it is unknown, skipped for good, has started
   * dependents or a dependency that is not started (nothing changed then); the error of the step
   * that failed otherwise (the plugin is `failed` then).
   */
  async reload(name: string, kernelPhase: string): Promise<PluginStatus> {
    const { records, logger } = this.deps;
    const record = records.get(name);
    if (record === undefined) throw new PluginReloadRefusedError(name, `no such plugin (known: ${records.names().join(', ') || 'none'})`);
    if (kernelPhase !== 'started') throw new PluginReloadRefusedError(name, `the kernel is ${kernelPhase}, not started`);
    // A plugin skipped because a dependency failed can start once that dependency runs again;
    // one with a missing, out-of-range or cyclic dependency cannot until its manifest changes.
    if (record.state === 'skipped' && !isXcoreError(record.error, 'XCORE_ERR_PLUGIN_DEPENDENCY_FAILED')) {
      throw new PluginReloadRefusedError(name, `it is skipped: ${record.error?.message ?? 'dependency problem'}`);
    }
    const running = dependentsOf(records.manifests(), name).filter((d) => records.get(d)?.state === 'started');
    if (running.length > 0) throw new PluginReloadRefusedError(name, `plugins that depend on it are started (${running.join(', ')}); stop or reload them first`);
    const broken = records.brokenDependency(record, ['started']);
    if (broken !== undefined) throw new PluginReloadRefusedError(name, `its dependency "${broken}" is not started`);

    if (record.state === 'started') await this.stop(record, this.deps.hookTimeoutMs);
    let definition: PluginDefinition;
    try {
      definition = await this.loadDefinition(record, createPluginImporter());
      record.config = this.validateConfig(record, definition);
    } catch (error) {
      await this.fail(record, 'import', error);
      throw error;
    }
    record.definition = definition;
    record.state = 'loaded';
    record.error = undefined;
    if (!(await this.load(record))) throw record.error;
    if (!(await this.start(record))) throw record.error;
    logger.info({ plugin: name }, 'plugin reloaded');
    return records.status(record);
  }

  /** Cancels a pending restart of the plugin's sandbox and stops its process (nothing for in-process plugins). */
  private async endSandbox(record: PluginRecord): Promise<void> {
    const sandbox = record.sandbox;
    if (sandbox === undefined) return;
    clearTimeout(sandbox.restartTimer);
    sandbox.restartTimer = undefined;
    await sandbox.terminate();
  }

  /**
   * A started sandboxed plugin's process exited on its own: its jobs and routes are detached at
   * once, then it is restarted after a backoff, or failed after too many crashes in the window.
   */
  private async sandboxCrashed(record: PluginRecord, error: Error): Promise<void> {
    const { logger, events, services } = this.deps;
    const sandbox = record.sandbox;
    const name = record.manifest.name;
    if (sandbox === undefined || record.state !== 'started') return;
    const decision = sandbox.crashed(error);
    if (decision.action === 'fail' || this.#shuttingDown) {
      if (decision.action === 'fail') await this.fail(record, 'sandbox', decision.error ?? error);
      return;
    }
    // Runs in flight have been rejected with the crash; let them be recorded as such before the
    // services detach the plugin (which would record them as aborted).
    await new Promise((resolve) => setImmediate(resolve));
    record.handle?.close();
    await services.pluginStopped(name);
    logger.warn({ plugin: name, crashes: decision.crashes, restartInMs: decision.delayMs }, 'sandboxed plugin crashed; restarting it after a delay');
    events.emit('plugin.crashed', { plugin: name, error, restartInMs: decision.delayMs });
    sandbox.restartTimer = setTimeout(() => void this.restartSandbox(record), decision.delayMs);
  }

  /** Starts a crashed sandboxed plugin again: a fresh context and process, `onLoad` and `onStart`. */
  private async restartSandbox(record: PluginRecord): Promise<void> {
    const { logger, events, services } = this.deps;
    const sandbox = record.sandbox;
    const name = record.manifest.name;
    if (sandbox === undefined) return;
    sandbox.restartTimer = undefined;
    if (record.state !== 'started' || this.#shuttingDown) return;
    this.openContext(record);
    try {
      await this.runHook(record, 'onLoad');
      await this.runHook(record, 'onStart');
    } catch (error) {
      await sandbox.terminate();
      if (record.state !== 'started') return;
      record.handle?.close();
      await services.pluginStopped(name);
      logger.error({ err: error, plugin: name }, 'sandboxed plugin failed to restart');
      await this.sandboxCrashed(record, error instanceof Error ? error : new Error(String(error)));
      return;
    }
    sandbox.restarted();
    logger.info({ plugin: name, restarts: sandbox.status().restarts }, 'sandboxed plugin restarted');
    events.emit('plugin.restarted', { plugin: name, restarts: sandbox.status().restarts });
  }

  private openContext(record: PluginRecord): void {
    const { logger, events, services } = this.deps;
    const name = record.manifest.name;
    record.handle = createPluginContext({
      name,
      config: record.config,
      logger: logger.child({ plugin: name }),
      events,
      resolveService: (service, optional) => services.resolveFor(service, name, optional),
      call: (target, action, payload, timeoutMs) => this.call(name, target, action, payload, timeoutMs),
    });
  }

  /** True for the rejection a step ends with because a stop was requested during boot. */
  private isBootAbort(error: unknown): boolean {
    return this.#boot?.isAbort(error) === true;
  }

  /**
   * Runs a plugin hook with the plugin as the origin of what it starts, under the hook timeout;
   * during boot, a stop request stops the wait (the hook goes on unobserved, as after a timeout).
   */
  private runHook(record: PluginRecord, hook: 'onLoad' | 'onStart' | 'onStop', timeoutMs = this.deps.hookTimeoutMs): Promise<void> {
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
      hook === 'onStop' ? undefined : this.#boot?.signal,
    );
  }

  private validateConfig(record: PluginRecord, definition: PluginDefinition): unknown {
    return pluginConfig(this.deps.loaded, record.manifest.name, definition);
  }
}
