/**
 * Where the plain-JavaScript files that run jobs off the event loop live (`workers/` of this
 * package), found from this module in the sources (`src/executors/`) and in the bundle (`dist/`).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The absolute path of `workers/<name>` of this package. */
export function workerFile(name: 'thread-worker.mjs' | 'process-child.mjs'): string {
  for (const relative of [`../workers/${name}`, `../../workers/${name}`]) {
    const path = fileURLToPath(new URL(relative, import.meta.url));
    if (existsSync(path)) return path;
  }
  throw new Error(`@xcore/scheduler: workers/${name} is missing next to ${fileURLToPath(import.meta.url)}; reinstall the package.`);
}
