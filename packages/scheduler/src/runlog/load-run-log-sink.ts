/**
 * Creates the configured run-log sink by loading its backend package at run time, so that
 * `@xcore/scheduler` does not depend on `pg` (or any other backend's driver).
 *
 * @remarks
 * The package is resolved from the app first (the folder of `xcore.yaml`, where the app declares
 * its dependencies), then from the scheduler's own location. Missing everywhere:
 * {@link RunLogBackendMissingError}, naming the package to install.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { RunLogBackendInvalidError, RunLogBackendMissingError } from './run-log-errors.js';
import type { RunLogConfig } from './run-log-config.js';
import type { RunLogLogger, RunLogSink } from './run-log-sink.js';

/** The package that implements each backend. */
export const RUN_LOG_BACKEND_PACKAGES: Readonly<Record<RunLogConfig['backend'], string>> = Object.freeze({ postgres: '@xcore/runlog-postgres' });

/** What a backend package's `createRunLogSink` receives: the validated section and a logger. */
export type RunLogBackendOptions = RunLogConfig & { readonly logger?: RunLogLogger };

/** The export a run-log backend package provides. */
export interface RunLogBackendModule {
  /** Creates the sink (and prepares its storage, e.g. runs migrations). */
  createRunLogSink(options: RunLogBackendOptions): Promise<RunLogSink>;
}

/** Options of {@link loadRunLogSink}. */
export interface LoadRunLogSinkOptions {
  /** The app's config file; the backend package is resolved from its folder first. */
  readonly configFile?: string;
  /** Passed to the sink for drops and backend trouble. */
  readonly logger?: RunLogLogger;
  /** Imports a module by specifier or file URL (tests inject one). @defaultValue dynamic `import()` */
  readonly importModule?: (specifier: string) => Promise<unknown>;
}

function isNotFound(error: unknown, pkg: string): boolean {
  const e = error as { code?: unknown; message?: unknown } | null;
  if (typeof e !== 'object' || e === null) return false;
  if (e.code !== 'ERR_MODULE_NOT_FOUND' && e.code !== 'MODULE_NOT_FOUND') return false;
  // Only the backend package itself: a dependency missing inside it is a broken install, said differently.
  return typeof e.message === 'string' && (e.message.includes(`'${pkg}'`) || e.message.includes(`"${pkg}"`));
}

/** The resolved file of `pkg` seen from `configFile`'s folder, or `undefined` when it is not there. */
function resolveFromApp(pkg: string, configFile: string | undefined): string | undefined {
  if (configFile === undefined) return undefined;
  try {
    return pathToFileURL(createRequire(configFile).resolve(pkg)).href;
  } catch {
    return undefined;
  }
}

/**
 * Loads the backend package named by `config.backend` and creates its sink.
 *
 * @throws {@link RunLogBackendMissingError} when the package is not installed;
 * {@link RunLogBackendInvalidError} when importing it throws or it lacks `createRunLogSink`; and
 * what the backend's `createRunLogSink` throws (e.g. a database that refuses the credentials).
 *
 * @example
 * ```ts
 * const sink = config.runLog === undefined ? undefined : await loadRunLogSink(config.runLog, { configFile, logger });
 * ```
 */
export async function loadRunLogSink(config: RunLogConfig, options: LoadRunLogSinkOptions = {}): Promise<RunLogSink> {
  const pkg = RUN_LOG_BACKEND_PACKAGES[config.backend];
  const importModule = options.importModule ?? ((specifier: string) => import(specifier) as Promise<unknown>);
  let mod: unknown;
  try {
    mod = await importModule(resolveFromApp(pkg, options.configFile) ?? pkg);
  } catch (error) {
    if (isNotFound(error, pkg)) throw new RunLogBackendMissingError(config.backend, pkg, { cause: error });
    const why = error instanceof Error ? error.message : String(error);
    throw new RunLogBackendInvalidError(pkg, `importing it failed (${why.split('\n')[0]})`, { cause: error });
  }
  const create = (mod as Partial<RunLogBackendModule> | null)?.createRunLogSink;
  if (typeof create !== 'function') throw new RunLogBackendInvalidError(pkg, 'it does not export a function createRunLogSink');
  return create({ ...config, ...(options.logger === undefined ? {} : { logger: options.logger }) });
}
