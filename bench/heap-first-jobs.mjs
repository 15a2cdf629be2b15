#!/usr/bin/env node
/**
 * Heap after each of the first registrations of xcore jobs, as `child.mjs` reads it (GC'd, the
 * number-to-string cache grown first): where a 1k run's one-time heap comes from.
 *
 *   node --expose-gc bench/heap-first-jobs.mjs [spread|burst|cron] [n]
 *
 * Prints the heap after 0, 1, 2, 3, 10, 100 and n jobs, and the deltas.
 */
import { createHarness, phaseAnchor } from './lib/harness.mjs';
import { settledHeap } from './lib/heap.mjs';

const [phase = 'spread', nArg = '1000'] = process.argv.slice(2);
const n = Number(nArg);
if (typeof global.gc !== 'function') throw new Error('run with --expose-gc');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const h = createHarness({ n, seconds: 1 });
const scheduler = await import('@xcore/scheduler');
const core = await import('@xcore/core');
const service = new scheduler.Scheduler({ store: new scheduler.MemoryStore(), logger: core.createLogger({ level: 'warn', pretty: false }) });
let length = 0;
for (let i = 0; i < 20_000; i++) length += `${i}`.length;
for (let i = 0; i < 3; i++) { await sleep(20); await settledHeap(); }
const base = Math.floor(h.now() / 1000) * 1000;
const add = (i) => phase === 'cron'
  ? service.addJob((ctx) => h.fire(i, ctx.scheduledAt.getTime()), { id: `job-${i}`, cron: '* * * * * *' })
  : phase === 'burst'
    ? service.addJob((ctx) => h.fire(i, ctx.scheduledAt.getTime()), { id: `job-${i}`, every: 1000 })
    : service.addJob((ctx) => h.fire(i, ctx.scheduledAt.getTime()), { id: `job-${i}`, every: 1000, startDate: phaseAnchor(base, i, n) });
const marks = [1, 2, 3, 10, 100, n];
const heap0 = await settledHeap();
let prev = heap0;
let done = 0;
console.log(`${phase}: heap before ${(heap0 / 1e6).toFixed(3)} MB`);
for (const m of marks) {
  while (done < m) await add(done++);
  const heap = await settledHeap();
  console.log(`after ${String(m).padStart(6)} jobs: +${((heap - heap0) / 1024).toFixed(1)} KB total, +${((heap - prev) / 1024).toFixed(1)} KB since last, ${((heap - heap0) / m).toFixed(0)} B/job`);
  prev = heap;
}
await service.stop({ deadlineMs: 100 });
