/**
 * The ioredis module, loaded when the first Redis store of the process needs it.
 *
 * @remarks
 * A scheduler on the memory store never loads it: ioredis is 2.1 MB of heap once imported (after
 * `gc()`, Node 20), about an eighth of a memory-backed scheduler's heap, which every full garbage
 * collection of the process marks again (see bench/README.md, "Where a 10k burst's p99 comes
 * from"). ioredis is a CommonJS package, so `require` loads it synchronously, where a store is
 * constructed.
 */
import { createRequire } from 'node:module';
import type * as IORedis from 'ioredis';

let loaded: typeof IORedis | undefined;

/** The ioredis module (loaded on the first call). */
export function ioredis(): typeof IORedis {
  loaded ??= createRequire(import.meta.url)('ioredis') as typeof IORedis;
  return loaded;
}
