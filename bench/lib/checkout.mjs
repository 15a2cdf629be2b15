/**
 * The A/B scripts' common start (`cpu-ab.mjs`, `register-ab.mjs`): their arguments `<checkout
 * dir> [N] [kind]`, and a `Scheduler` on a `MemoryStore` from that checkout's built
 * packages (`pnpm build` there first).
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * Parses `process.argv` (exits with `usage` when it does not fit) and creates the scheduler.
 * @param {string} usage - the script's usage line.
 * @param {string} defaultN - N when none is given.
 * @param {string[]} [kinds] - the kinds of job the script takes (the first is the default).
 * @returns {Promise<{ root: string, N: number, kind: string, scheduler: any }>}
 */
export async function checkoutScheduler(usage, defaultN, kinds = ['interval', 'cron']) {
  const [dir, n = defaultN, kind = kinds[0]] = process.argv.slice(2);
  if (dir === undefined || !kinds.includes(kind) || !(Number(n) > 0)) {
    console.error(`usage: ${usage}`);
    process.exit(2);
  }
  const root = resolve(dir);
  const { Scheduler, MemoryStore } = await import(pathToFileURL(`${root}/packages/scheduler/dist/index.js`).href);
  const { createLogger } = await import(pathToFileURL(`${root}/packages/core/dist/index.js`).href);
  const scheduler = new Scheduler({ store: new MemoryStore(), logger: createLogger({ level: 'warn', pretty: false }) });
  return { root, N: Number(n), kind, scheduler };
}
