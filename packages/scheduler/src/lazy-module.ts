/**
 * Loads a CommonJS dependency on first use instead of at import.
 *
 * @remarks
 * A memory-backed scheduler with inline jobs never needs ioredis (2.1 MB of heap once imported)
 * or piscina (0.45 MB), and every full garbage collection of the process would mark them again
 * (see bench/README.md, "Where a 10k burst's p99 comes from"). Both are CommonJS, so `require`
 * loads them synchronously where a store or a pool is constructed.
 */
import { createRequire } from 'node:module';

/** A function that returns the module `name`, requiring it on the first call only. */
export function lazyModule<T>(name: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= createRequire(import.meta.url)(name) as T);
}
