#!/usr/bin/env node
/**
 * Garbage per fire of xcore's run path: N interval jobs every second, all due at the same instant
 * (the burst of `bench/run.mjs --phase burst`), on a `MemoryStore`, with V8's sampling heap
 * profiler counting every allocation (also what the young generation collects) over a window,
 * by the function that allocated it.
 *
 *   pnpm build && node bench/alloc.mjs [--jobs 10000] [--seconds 3] [--top 15]
 *
 * Prints bytes allocated per fire, in total and for the top allocating functions (their names are
 * those of packages/scheduler/dist). Sampling: one sample per 256 bytes on average, so the numbers
 * move by a few percent from run to run.
 */
import { Session } from 'node:inspector/promises';
import { Scheduler, MemoryStore } from '@xcore/scheduler';
import { createLogger } from '@xcore/core';

const opts = { jobs: 10_000, seconds: 3, top: 15 };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i += 2) {
  const key = argv[i]?.replace(/^--/, '');
  if (!(key in opts)) throw new Error(`unknown flag ${argv[i]}; flags: --jobs --seconds --top`);
  opts[key] = Number(argv[i + 1]);
}

const scheduler = new Scheduler({ store: new MemoryStore(), logger: createLogger({ level: 'warn', pretty: false }) });
let fires = 0;
for (let i = 0; i < opts.jobs; i++) await scheduler.addJob(() => { fires++; }, { id: `job-${i}`, every: 1000 });
scheduler.startFiring();
// Past the first bursts (warm-up, code optimised).
await new Promise((resolve) => setTimeout(resolve, 2500));
const session = new Session();
session.connect();
await session.post('HeapProfiler.enable');
await session.post('HeapProfiler.startSampling', { samplingInterval: 256, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
const firesBefore = fires;
await new Promise((resolve) => setTimeout(resolve, opts.seconds * 1000));
const { profile } = await session.post('HeapProfiler.stopSampling');
const fired = fires - firesBefore;
const bySite = new Map();
const walk = (node) => {
  const { functionName, url, lineNumber } = node.callFrame;
  const site = `${functionName || '(anonymous)'} ${url.split('/').slice(-3).join('/')}:${lineNumber + 1}`;
  if (node.selfSize > 0) bySite.set(site, (bySite.get(site) ?? 0) + node.selfSize);
  for (const child of node.children) walk(child);
};
walk(profile.head);
const total = [...bySite.values()].reduce((a, b) => a + b, 0);
console.log(`${opts.jobs} jobs due together every second; ${fired} fires in ${opts.seconds} s; allocated ${(total / fired).toFixed(0)} B per fire`);
for (const [site, bytes] of [...bySite].sort((a, b) => b[1] - a[1]).slice(0, opts.top)) console.log(`${(bytes / fired).toFixed(1).padStart(8)} B  ${site}`);
await scheduler.stop({ deadlineMs: 100 });
process.exit(0);
