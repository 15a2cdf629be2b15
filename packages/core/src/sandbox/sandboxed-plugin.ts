/**
 * A sandboxed plugin as the kernel sees it: a plugin definition whose hooks and actions run in a
 * child process, plus what supervises that process.
 */
import { existsSync, mkdirSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import type { XcoreConfig } from '../config/types.js';
import { PluginActionUnknownError, SandboxCrashedError, SandboxCrashLoopError, SandboxStartFailedError } from '../errors.js';
import type { PluginManifest } from '../plugins/manifest.js';
import type { PluginContext, PluginDefinition } from '../plugins/plugin.js';
import { bundlePlugin } from './bundle-plugin.js';
import { createGrantTable, type GrantTable } from './grant-table.js';
import { assertNoForeignLinks, dependencyClosure } from './plugin-folder.js';
import type { InitReply } from './protocol.js';
import { decideRestart, type RestartDecision } from './restart-policy.js';
import { sandboxFlags } from './sandbox-flags.js';
import { SandboxProcess, type SandboxExit } from './sandbox-process.js';

/** What a sandboxed plugin reports beside its state. */
export interface SandboxStatus {
  /** Process id of the running sandbox, `undefined` while none runs. */
  readonly pid: number | undefined;
  /** Times the process was restarted after a crash (since the plugin was imported). */
  readonly restarts: number;
  /** Crashes within `plugins.sandbox.crashWindowMs`. */
  readonly recentCrashes: number;
  /** The last crash, when there was one. */
  readonly lastCrash: string | undefined;
}

/** What {@link prepareSandboxedPlugin} needs. */
export interface SandboxedPluginOptions {
  readonly manifest: PluginManifest;
  readonly config: XcoreConfig;
  /** The plugin's logger (`{ plugin }` bound). */
  readonly logger: Logger;
  /** The level the sandbox's own logger starts at. */
  readonly logLevel: string;
  /** Whether the sandbox's error lines carry stacks, as the host's do (`--debug`, `XCORE_DEBUG`); else decided by `logLevel`. */
  readonly debugErrors?: boolean;
  /** Called when the process exits on its own while the plugin is started. */
  onCrash(error: SandboxCrashedError): void;
}

/** A prepared sandboxed plugin. */
export interface SandboxedPlugin {
  /** The definition the kernel runs: each hook and `handle` goes to the sandbox process. */
  readonly definition: PluginDefinition;
  /** Stops the process (channel closed, then killed after `plugins.sandbox.stopGraceMs`); resolves once it exited. */
  terminate(): Promise<void>;
  /** Records a crash and decides: restart after a delay, or fail (with the error to fail with). */
  crashed(error: Error): RestartDecision & { readonly error?: SandboxCrashLoopError };
  /** Records a successful restart. */
  restarted(): void;
  /** Holds a pending restart's timer, so stopping the plugin can cancel it. */
  restartTimer: NodeJS.Timeout | undefined;
  status(): SandboxStatus;
}

/** Finds `dist/sandbox-bootstrap.js` of this package (from `dist` or, in tests, from `src`). */
function bootstrapPath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === '@xcore/core') {
      return join(dir, 'dist', 'sandbox-bootstrap.js');
    }
    const up = dirname(dir);
    if (up === dir) throw new Error('@xcore/core package folder not found');
    dir = up;
  }
}

/** The environment of a sandbox: only the variables `plugins.sandbox.env` names. */
function sandboxEnv(names: readonly string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of names) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}

/** The line of a crash's stderr that says what happened (`Error: ...`, `FATAL ERROR: ...`), else its last line. */
function crashLine(stderr: string): string {
  const lines = stderr.split('\n').map((line) => line.trim()).filter((line) => line !== '');
  return lines.find((line) => /^(FATAL ERROR|[A-Za-z]*Error\b|Uncaught\b)/.test(line)) ?? lines.at(-1) ?? '';
}

function exitText(exit: SandboxExit): string {
  return exit.signal !== null ? `signal ${exit.signal}` : `exit code ${exit.code}`;
}

/**
 * Prepares a sandboxed plugin: checks its folder, bundles its entry, computes what its process
 * may read and write, and returns the definition whose hooks run there.
 *
 * @remarks
 * Read access: the plugin's folder, the bundle, and the real folders of the packages it and the
 * bootstrap depend on (with the `node_modules` links leading to them). Write access: the plugin's
 * data folder, `<plugins.sandbox.dataDirectory>/<name>`, which is also the process's working
 * directory. No child processes, workers, addons or WASI. `onLoad` starts the process and sends
 * `init`; `onStop` runs the plugin's `onStop` and then stops the process within
 * `plugins.sandbox.stopGraceMs`.
 *
 * @throws `XCORE_ERR_SANDBOX_SYMLINK` for a folder holding links, `XCORE_ERR_SANDBOX_START_FAILED`
 * when the entry does not bundle.
 */
export async function prepareSandboxedPlugin(options: SandboxedPluginOptions): Promise<SandboxedPlugin> {
  const { manifest, config, logger } = options;
  const settings = config.plugins.sandbox;
  const name = manifest.name;
  const folder = realpathSync(manifest.directory);
  const own = dependencyClosure([], [folder]);
  assertNoForeignLinks(name, folder, own.packages);
  const bootstrap = bootstrapPath();
  if (!existsSync(bootstrap)) throw new SandboxStartFailedError(name, `the sandbox bootstrap ${bootstrap} is missing; build @xcore/core (pnpm build)`);
  const bundleDir = join(settings.dataDirectory, '.sandbox', name);
  const bundle = await bundlePlugin(name, manifest.entry, bundleDir);
  const dataDir = join(settings.dataDirectory, name);
  mkdirSync(dataDir, { recursive: true });
  // The sandbox cannot make links (the permission model refuses), but one left in its data folder
  // by someone else would lead out of it.
  assertNoForeignLinks(name, dataDir, new Set());
  const needed = dependencyClosure([...bundle.packageDirs, dirname(dirname(bootstrap))]);
  const execArgv = sandboxFlags({
    nodeVersion: process.versions.node,
    read: [folder, realpathSync(bundleDir), ...own.readPaths, ...needed.readPaths],
    write: [realpathSync(dataDir)],
    maxOldSpaceMb: settings.maxOldSpaceMb,
  });
  const env = sandboxEnv(settings.env);

  let proc: SandboxProcess | undefined;
  let reply: InitReply | undefined;
  let started = false;
  let crashes: number[] = [];
  let restarts = 0;
  let lastCrash: Error | undefined;

  const running = (): SandboxProcess => {
    if (proc === undefined || !proc.alive) throw lastCrash ?? new SandboxStartFailedError(name, 'its process is not running');
    return proc;
  };

  const spawn = async (ctx: PluginContext): Promise<void> => {
    let grants: GrantTable | undefined;
    const child = SandboxProcess.spawn({
      bootstrap,
      execArgv,
      env,
      cwd: dataDir,
      maxRssMb: settings.maxRssMb,
      logger,
      perform: (method, args) => grants!.perform(method, args),
    });
    proc = child;
    grants = createGrantTable({ plugin: name, context: ctx, rpc: child.rpc });
    void child.exited.then((exit) => {
      const error = new SandboxCrashedError(name, exit.reason, exitText(exit), crashLine(exit.stderr));
      child.rpc.close(exit.requested ? new SandboxStartFailedError(name, 'its process was stopped') : error);
      if (exit.requested) return;
      lastCrash = error;
      logger.error({ err: error, pid: child.pid, exit: exitText(exit), reason: exit.reason }, 'sandboxed plugin process crashed');
      if (started && proc === child) {
        started = false;
        options.onCrash(error);
      }
    });
    const httpUrl = (ctx.getService('http' as never, { optional: true }) as { url?: string } | undefined)?.url;
    reply = await child.rpc.request<InitReply>({
      t: 'init',
      plugin: name,
      entry: bundle.url,
      config: config.plugins.config[name],
      dataDir,
      logLevel: options.logLevel,
      debugErrors: options.debugErrors === true,
      services: grants.services,
      ...(httpUrl === undefined ? {} : { httpUrl }),
    });
    logger.info({ pid: child.pid, granted: grants.methods }, 'sandbox process started');
  };

  const hook = async (hookName: 'onLoad' | 'onStart' | 'onStop'): Promise<void> => {
    if (reply?.hooks.includes(hookName) !== true) return;
    await running().rpc.request({ t: 'hook', hook: hookName });
  };

  const terminate = async (): Promise<void> => {
    started = false;
    const child = proc;
    proc = undefined;
    if (child !== undefined) await child.stop(settings.stopGraceMs);
  };

  const definition: PluginDefinition = {
    async onLoad(ctx) {
      await terminate();
      await spawn(ctx);
      await hook('onLoad');
    },
    async onStart() {
      await hook('onStart');
      started = true;
    },
    async onStop() {
      started = false;
      try {
        if (proc?.alive === true) await hook('onStop');
      } finally {
        await terminate();
      }
    },
    async handle(action, payload) {
      if (reply !== undefined && !reply.handles) throw new PluginActionUnknownError(name, action, undefined);
      return running().rpc.request({ t: 'action', action, payload });
    },
  };

  const sandbox: SandboxedPlugin = {
    definition,
    terminate,
    restartTimer: undefined,
    crashed(error) {
      lastCrash = error;
      const next = decideRestart(crashes, Date.now(), settings);
      crashes = next.crashes;
      if (next.decision.action === 'fail') return { ...next.decision, error: new SandboxCrashLoopError(name, next.decision.crashes, settings.crashWindowMs, error) };
      return next.decision;
    },
    restarted() {
      restarts += 1;
    },
    status() {
      const now = Date.now();
      return {
        pid: proc?.alive === true ? proc.pid : undefined,
        restarts,
        recentCrashes: crashes.filter((at) => now - at < settings.crashWindowMs).length,
        lastCrash: lastCrash?.message,
      };
    },
  };
  return sandbox;
}
