/**
 * Where the plain-JavaScript files that run jobs off the event loop live (`workers/` of this
 * package), found from this module in the sources (`src/executors/`) and in the bundle (`dist/`).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ExecutorWorkerMissingError } from '../errors.js';

/** A file of `workers/` that an isolated executor starts: the thread pool's or the child's. */
export type WorkerFileName = 'thread-worker.mjs' | 'process-child.mjs';

/**
 * The absolute path of `workers/<name>` of this package; executors resolve it once, when created.
 *
 * @param from - the module the search starts from (this one; a test passes another).
 * @throws `XCORE_ERR_EXECUTOR_WORKER_MISSING` naming the file and every path looked at.
 */
export function workerFile(name: WorkerFileName, from: string | URL = import.meta.url): string {
  const candidates = [`../workers/${name}`, `../../workers/${name}`].map((relative) => fileURLToPath(new URL(relative, from)));
  const found = candidates.find((path) => existsSync(path));
  if (found !== undefined) return found;
  throw new ExecutorWorkerMissingError(
    `@xcore/scheduler: workers/${name}, which the ${name === 'thread-worker.mjs' ? 'thread' : 'process'} executor runs jobs with, is missing ` +
      `(looked for ${candidates.join(' and ')}); the install is broken. Reinstall @xcore/scheduler (in its repository: pnpm install && pnpm build).`,
  );
}
