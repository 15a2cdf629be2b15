/**
 * `xcore dev [-c file]`: runs the app like `start`, watches its files, reloads a plugin whose
 * files changed and restarts the app (in this process) when its config, a YAML job module or a
 * plugin others depend on changed.
 */
import { watch, type FSWatcher } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  createKernel,
  createLogger,
  createTsModuleScope,
  dependentsOf,
  discoverPlugins,
  loadConfig,
  type Kernel,
  type LoadedConfig,
  type Logger,
} from '@xcore/core';
import { yamlJobModuleFile } from '@xcore/scheduler';
import type { CliIo } from '../cli.js';
import { planChanges, type ChangePlan, type DevApp } from '../dev/change-plan.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';
import { findConfigFile } from '../find-config.js';
import { logStarted } from '../host/boot-summary.js';
import { watchProcessFaults } from '../host/process-faults.js';
import { watchStopRequests } from '../host/stop-requests.js';
import { builtinServices } from '../services.js';

/** Changes are gathered this long after the last one before acting: an editor's save is several events. */
export const DEV_DEBOUNCE_MS = 150;

/** The running app: its config and kernel. */
interface Running {
  readonly loaded: LoadedConfig;
  readonly kernel: Kernel;
}

/**
 * The absolute paths of the files the YAML jobs of `loaded` import (`func: ./jobs/x.ts:fn`); a job
 * naming a package (`func: "@acme/jobs:fn"`) adds none (see `yamlJobModuleFile`).
 */
export function jobModules(loaded: Pick<LoadedConfig, 'config' | 'file'>): string[] {
  const scheduler = loaded.config.services['scheduler'] as { jobs?: readonly { func?: unknown }[] } | undefined;
  const base = dirname(loaded.file);
  return (scheduler?.jobs ?? []).flatMap((job) => {
    const file = typeof job.func === 'string' ? yamlJobModuleFile(job.func, base) : undefined;
    return file === undefined ? [] : [file];
  });
}

/** What the planner needs of the app: its files and its plugins with their dependents. */
function describeApp(loaded: LoadedConfig): DevApp {
  const { directory, enabled } = loaded.config.plugins;
  let manifests: ReturnType<typeof discoverPlugins> = [];
  try {
    manifests = discoverPlugins(directory);
  } catch {
    // A broken manifest: the restart it causes reports it.
  }
  const runs = (name: string): boolean => enabled === '*' || enabled.includes(name);
  const active = manifests.filter((m) => runs(m.name));
  return {
    configFile: loaded.file,
    jobModules: jobModules(loaded),
    plugins: manifests.map((m) => ({
      name: m.name,
      folder: dirname(m.file),
      manifest: m.file,
      dependents: runs(m.name) ? dependentsOf(active, m.name) : [],
      enabled: runs(m.name),
    })),
  };
}

/**
 * Runs `xcore dev` until a stop request; resolves to the exit code.
 *
 * @remarks
 * - A change to a plugin's files reloads that plugin (`kernel.reload`: stop, re-import, start; its
 *   interval jobs keep their phase because their definitions are unchanged in the store). Its new
 *   entry is imported once first: when that fails (a syntax error, a missing import) the error is
 *   logged and the old version keeps running. A new version whose `onStart` throws leaves the
 *   plugin `failed` (logged) until the next change.
 * - A change to `xcore.yaml`, a YAML job's module, a plugin's manifest or a plugin other enabled
 *   plugins depend on restarts the app in this process: the config is loaded first (an invalid
 *   one is logged and the running app is kept), then the app stops and a new one starts with a
 *   new logger (the new `logging` and `app.name` apply). On the memory backend a restart starts
 *   with an empty store.
 * - Changes are debounced ({@link DEV_DEBOUNCE_MS}) and handled one batch at a time.
 */
export async function devCommand(options: { configPath: string | undefined; io: CliIo }): Promise<ExitCodeValue> {
  const file = findConfigFile(options.configPath, options.io.cwd);
  const load = (): Promise<LoadedConfig> => loadConfig(file, { env: options.io.env, services: builtinServices });
  const first = await load();
  // Replaced at each restart, so a changed logging section or app name applies.
  let logger: Logger = createLogger(first.config.logging, { name: first.config.app.name });
  const stops = watchStopRequests({ logger, forceExit: (code) => process.exit(code) });
  watchProcessFaults({ logger, origins: first.config.app.faultOrigins, onUncaught: () => stops.request('uncaughtException') });

  const boot = async (loaded: LoadedConfig): Promise<Running | undefined> => {
    const kernel = createKernel({ loaded, services: builtinServices, logger });
    const began = performance.now();
    try {
      await kernel.start({ signal: stops.signal });
    } catch (error) {
      logger.error({ err: error }, 'dev: the app did not start; fix the cause and save again');
      await kernel.stop();
      return undefined;
    }
    logStarted(logger, kernel, file, began);
    return { loaded, kernel };
  };

  let running = await boot(first);
  let app = describeApp(first);
  const watchers = watchApp(app, first, (path) => queue(path), logger);

  const pending = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let chain: Promise<void> = Promise.resolve();
  const queue = (path: string): void => {
    pending.add(path);
    clearTimeout(timer);
    timer = setTimeout(() => {
      const batch = [...pending];
      pending.clear();
      chain = chain.then(() => apply(planChanges(app, batch))).catch((err: unknown) => logger.error({ err }, 'dev: handling a change failed'));
    }, DEV_DEBOUNCE_MS);
  };

  const apply = async (plan: ChangePlan): Promise<void> => {
    if (plan.kind === 'none' || stops.reason !== undefined) return;
    if (plan.kind === 'restart' || running === undefined) {
      const reason = plan.kind === 'restart' ? plan.reason : 'the app is not running';
      let loaded: LoadedConfig;
      try {
        loaded = await load();
      } catch (error) {
        logger.error({ err: error, files: plan.files }, 'dev: the config does not load; the running app is kept');
        return;
      }
      logger.info({ reason, files: plan.files }, 'dev: restarting the app');
      await running?.kernel.stop();
      logger = createLogger(loaded.config.logging, { name: loaded.config.app.name });
      running = await boot(loaded);
      app = describeApp(loaded);
      return;
    }
    for (const name of plan.plugins) await reloadPlugin(running, name, plan.files);
  };

  const reloadPlugin = async (current: Running, name: string, files: readonly string[]): Promise<void> => {
    const manifest = discoverPlugins(current.loaded.config.plugins.directory).find((m) => m.name === name);
    if (manifest === undefined) return;
    try {
      // Imported once in a fresh scope first, so a syntax error leaves the old version running.
      const namespace = await createTsModuleScope().import(pathToFileURL(manifest.entry).href, import.meta.url);
      if (namespace['default'] === undefined) throw new Error(`${manifest.entry} has no default export`);
    } catch (error) {
      logger.error({ err: error, plugin: name, files }, 'dev: plugin not reloaded: its new code does not import; the old version keeps running');
      return;
    }
    const began = performance.now();
    try {
      await current.kernel.pluginView.reload(name);
      logger.info({ plugin: name, files, ms: Math.round(performance.now() - began) }, 'dev: plugin reloaded');
    } catch (error) {
      logger.error({ err: error, plugin: name, files }, 'dev: plugin reload failed; fix it and save again');
    }
  };

  logger.info({ config: file, plugins: first.config.plugins.directory }, 'dev: watching for changes');
  await stops.requested;
  clearTimeout(timer);
  for (const w of watchers) w.close();
  await chain;
  await running?.kernel.stop();
  stops.close();
  logger.info('xcore dev stopped');
  return ExitCode.Ok;
}

/** Watches the plugins folder (recursively), the config file's folder and the YAML job modules' folders. */
function watchApp(app: DevApp, loaded: LoadedConfig, onChange: (path: string) => void, logger: Logger): FSWatcher[] {
  const watchers: FSWatcher[] = [];
  const add = (folder: string, recursive: boolean): void => {
    try {
      const watcher = watch(folder, { recursive }, (_event, name) => {
        if (name !== null) onChange(join(folder, name.toString()));
      });
      watcher.on('error', (err) => logger.warn({ err, folder }, 'dev: a watch failed'));
      watchers.push(watcher);
    } catch (err) {
      logger.warn({ err, folder }, 'dev: cannot watch this folder; its changes are not seen');
    }
  };
  add(loaded.config.plugins.directory, true);
  for (const folder of new Set([dirname(app.configFile), ...app.jobModules.map((m) => dirname(m))])) add(folder, false);
  return watchers;
}
