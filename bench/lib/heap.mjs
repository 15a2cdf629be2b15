/**
 * The heap reading of the benchmarks (`child.mjs`, `heap-first-jobs.mjs`): `heapUsed` once the
 * event loop has settled. Run with `--expose-gc`.
 */

/** Heap in use once the event loop has settled: yields twice so lazily created loop state exists on both readings. */
export async function settledHeap() {
  for (let i = 0; i < 3; i++) {
    await new Promise((r) => setImmediate(r));
    global.gc();
  }
  return process.memoryUsage().heapUsed;
}
