/**
 * A scheduler on the memory store with inline jobs loads neither the Redis client (ioredis) nor
 * the thread pool (piscina): in a fresh process, which CommonJS modules are loaded once it has
 * registered, fired and stopped a job.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const INDEX = new URL('../index.ts', import.meta.url).href;
const CORE = new URL('../../../core/src/index.ts', import.meta.url).href;

const SCRIPT = `
import { createRequire } from 'node:module';
const { Scheduler, MemoryStore } = await import(${JSON.stringify(INDEX)});
const { createLogger } = await import(${JSON.stringify(CORE)});
const scheduler = new Scheduler({ store: new MemoryStore(), logger: createLogger({ level: 'silent', pretty: false }) });
let fired;
const done = new Promise((resolve) => (fired = resolve));
await scheduler.addJob(() => fired(), { id: 'a', every: 100 });
scheduler.startFiring();
await done;
await scheduler.stop({ deadlineMs: 1000 });
const loaded = Object.keys(createRequire(import.meta.url).cache).map((path) => /node_modules\\/(ioredis|piscina)\\//.exec(path)?.[1]).filter(Boolean);
console.log(JSON.stringify([...new Set(loaded)].sort()));
`;

describe('dependencies a memory-backed scheduler loads', () => {
  it('loads neither ioredis nor piscina', () => {
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', SCRIPT], {
      cwd: fileURLToPath(new URL('.', import.meta.url)),
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(JSON.parse(out.trim().split('\n').pop() as string)).toEqual([]);
  }, 40_000);
});
