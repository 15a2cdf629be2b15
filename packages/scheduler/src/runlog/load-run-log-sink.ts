/**
 * Creates the configured run-log sink by loading its backend package at run time, so that
 * `@xcore/scheduler` does not depend on `pg` (or any other backend's driver).
 *
 * @remarks
 * The package is resolved as Node resolves it from the app first (the folder of `xcore.yaml`, where
 * the app declares its dependencies), then from the scheduler's own location. Missing from both:
 * {@link RunLogBackendMissingError}, naming the package to install. Found but failing to import
 * (a dependency of it missing, a syntax error): {@link RunLogBackendInvalidError}.
 */
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
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
}

/** A dependency missing inside the backend package (a broken install), told apart from the package itself. */
function isNotFound(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
}

/** The entry file of `pkg` as Node resolves it from `fromFile`'s folder, or `undefined` when it is not there. */
function resolveFrom(pkg: string, fromFile: string): string | undefined {
  try {
    return pathToFileURL(createRequire(fromFile).resolve(pkg)).href;
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
  const entry = (options.configFile === undefined ? undefined : resolveFrom(pkg, options.configFile)) ?? resolveFrom(pkg, fileURLToPath(import.meta.url));
  if (entry === undefined) throw new RunLogBackendMissingError(config.backend, pkg);
  let mod: unknown;
  try {
    mod = (await import(entry)) as unknown;
  } catch (error) {
    const why = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new RunLogBackendInvalidError(pkg, `importing it failed${isNotFound(error) ? ' (a dependency is missing: reinstall it)' : ''}: ${why}`, { cause: error });
  }
  const create = (mod as Partial<RunLogBackendModule> | null)?.createRunLogSink;
  if (typeof create !== 'function') throw new RunLogBackendInvalidError(pkg, 'it does not export a function createRunLogSink');
  return create({ ...config, ...(options.logger === undefined ? {} : { logger: options.logger }) });
}
