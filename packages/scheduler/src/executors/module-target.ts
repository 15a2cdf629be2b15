/**
 * Turning a job's `module` / `export` / `env` / `args` into a {@link ModuleTarget}, checked
 * before anything is stored.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { JobExecutorInvalidError } from '../errors.js';
import { errorMessage } from './error-message.js';

/**
 * The `file:` URL of `module`: a `URL` or `file:` string, an absolute path, a package name
 * (resolved from `baseDir`), or, with `baseDir` (a YAML job: the config file's folder), a relative
 * path.
 *
 * @throws `XCORE_ERR_JOB_EXECUTOR_INVALID` naming the job and what to pass instead.
 */
export function resolveModuleUrl(module: string | URL, jobId: string, baseDir?: string): string {
  let url: URL;
  if (module instanceof URL || module.startsWith('file:')) {
    try {
      url = new URL(module);
    } catch (cause) {
      throw new JobExecutorInvalidError(`Job "${jobId}": module "${String(module)}" is not a valid URL (${errorMessage(cause)}). Nothing was stored.`, { cause });
    }
    if (url.protocol !== 'file:') {
      throw new JobExecutorInvalidError(`Job "${jobId}": module ${url.href} is not a file: URL; pass a file path or new URL('./job.js', import.meta.url). Nothing was stored.`);
    }
  } else if (isAbsolute(module)) {
    url = pathToFileURL(module);
  } else if (module.startsWith('.')) {
    if (baseDir === undefined) {
      throw new JobExecutorInvalidError(
        `Job "${jobId}": module "${module}" is a relative path, which a worker cannot resolve; pass an absolute path or new URL('${module}', import.meta.url). Nothing was stored.`,
      );
    }
    url = pathToFileURL(resolve(baseDir, module));
  } else {
    const from = baseDir ?? process.cwd();
    try {
      url = pathToFileURL(createRequire(join(from, 'noop.js')).resolve(module));
    } catch (cause) {
      throw new JobExecutorInvalidError(`Job "${jobId}": package "${module}" cannot be resolved from ${from} (${errorMessage(cause)}); install it or pass a file path. Nothing was stored.`, { cause });
    }
  }
  const path = fileURLToPath(url);
  if (!existsSync(path)) {
    throw new JobExecutorInvalidError(`Job "${jobId}": module file ${path} does not exist; fix the path. Nothing was stored.`);
  }
  return url.href;
}

/**
 * Checks `args` survive structured cloning (they are copied to a worker or child on every run).
 *
 * @throws `XCORE_ERR_JOB_EXECUTOR_INVALID` naming the job and the clone error.
 */
export function assertCloneable(args: readonly unknown[], jobId: string, executor: string): void {
  try {
    structuredClone(args);
  } catch (cause) {
    throw new JobExecutorInvalidError(
      `Job "${jobId}": args cannot be copied to a ${executor === 'thread' ? 'worker thread' : 'child process'} (${errorMessage(cause)}); pass plain data (no functions, class instances with private state or symbols). Nothing was stored.`,
      { cause },
    );
  }
}
