#!/usr/bin/env node
/**
 * Registration cost of one xcore checkout: N jobs added in a loop (`await addJob(fn, { id, every:
 * 1000 })`, or `cron: '* * * * * *'`) on a MemoryStore, as a plugin registers at boot; prints the
 * wall time of the loop and the heap per job after it (before any fire). Run it for two checkouts
 * (each built with `pnpm build`) alternately to compare them on a shared machine:
 *
 *   node --expose-gc bench/register-ab.mjs <checkout dir> [N=100000] [interval|cron]
 */
import { checkoutScheduler } from './lib/checkout.mjs';

if (typeof global.gc !== 'function') {
  console.error('run with node --expose-gc');
  process.exit(2);
}
const { root, N, kind, scheduler } = await checkoutScheduler('node --expose-gc bench/register-ab.mjs <checkout dir> [N=100000] [interval|cron]', '100000');
// Grown before the first reading: the ids below would grow V8's number-to-string cache (see README.md).
let length = 0;
for (let i = 0; i < 20_000; i++) length += `${i}`.length;
global.gc();
const heap0 = process.memoryUsage().heapUsed;
const t0 = performance.now();
for (let i = 0; i < N; i++) await scheduler.addJob(() => undefined, kind === 'cron' ? { id: `job-${i}`, cron: '* * * * * *' } : { id: `job-${i}`, every: 1000 });
const ms = performance.now() - t0;
global.gc();
const perJob = (process.memoryUsage().heapUsed - heap0) / N;
console.log(`${root} ${kind} N=${N} register=${ms.toFixed(0)}ms heap=${perJob.toFixed(0)}B/job`);
await scheduler.stop({ deadlineMs: 100 });
process.exit(0);
