#!/usr/bin/env node
// Where the run log's cost inside a burst comes from, without PostgreSQL or a writer thread: one
// Scheduler (memory store) runs `rate` jobs every 1 s, and its run log's `writeRun` does, burst by
// burst in rotation: nothing (`none`); `RunLogRing.write` then `release` at once (`release`: the
// same few slots again and again); `write` and hold the slot until 300 ms after the burst
// (`hold`: as the sink's batcher holds a burst's slots until its batches are stored, 10,000 fresh
// slots a burst). Per burst: the main thread's CPU from its first run's start to its last's, and
// that span (drain). Medians per condition.
//
//   pnpm build && node bench/runlog-burst-ab.mjs [--rate 10000] [--seconds 20] [--capacity 50000]
import { Scheduler, MemoryStore } from '@xcore/scheduler';
import { RunLogRing } from '@xcore/scheduler/run-log-kit';
import { createLogger } from '@xcore/core';

const opts = { rate: 10_000, seconds: 20, capacity: 50_000 };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i += 2) {
  const key = argv[i].replace(/^--/, '');
  if (!(key in opts)) throw new Error(`unknown flag --${key}; flags: ${Object.keys(opts).map((k) => `--${k}`).join(' ')}`);
  opts[key] = Number(argv[i + 1]);
}
const CONDITIONS = ['none', 'release', 'hold'];
const ring = new RunLogRing(opts.capacity);
let held = [];
let releaseTimer;
let registeredAt = 0;
const conditionOf = (scheduledAt) => CONDITIONS[Math.floor((scheduledAt - registeredAt) / 1000) % CONDITIONS.length];
const runLog = {
  write() {}, query: async () => ({ records: [], nextCursor: null }), flush: async () => true, close: async () => {},
  stats: () => ({ written: 0, dropped: 0, rejected: 0, failedBatches: 0, queueDepth: 0, lastError: null }),
  writeRun(input) {
    const c = conditionOf(input.record.scheduledAt);
    if (c === 'none') return;
    const slot = ring.write(input);
    if (c === 'release') return ring.release(slot);
    held.push(slot);
    releaseTimer ??= setTimeout(() => {
      for (const s of held) ring.release(s);
      held = [];
      releaseTimer = undefined;
    }, 300);
  },
};
const scheduler = new Scheduler({ store: new MemoryStore(), logger: createLogger({ level: 'silent', pretty: false }), owner: 'bench-1', runLog });
const bursts = new Map();
const late = (ctx) => {
  const due = ctx.scheduledAt.getTime();
  const key = Math.floor((due - registeredAt) / 1000);
  let b = bursts.get(key);
  if (b === undefined) bursts.set(key, (b = { cpu0: process.threadCpuUsage(), t0: performance.now(), n: 0 }));
  if (++b.n === opts.rate) {
    const c = process.threadCpuUsage(b.cpu0);
    b.cpuMs = (c.user + c.system) / 1000;
    b.drainMs = performance.now() - b.t0;
  }
};
const failure = new Error('upstream answered 503');
registeredAt = Date.now();
for (let i = 0; i < opts.rate; i++) {
  const fn = i % 100 === 0 ? (ctx) => { late(ctx); throw failure; } : (ctx) => { late(ctx); return { processed: ctx.attempt }; };
  await scheduler.addJob(fn, { id: `job-${i}`, every: '1s' });
}
scheduler.startFiring();
await new Promise((resolve) => setTimeout(resolve, opts.seconds * 1000));
await scheduler.stop({ deadlineMs: 1000 });
await scheduler.dispose();
const keys = [...bursts.keys()].sort((a, b) => a - b).slice(3); // the first bursts warm up
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
console.log(`Node ${process.version}, ${opts.rate} runs a burst, ring of ${opts.capacity} slots, ${keys.length} bursts after 3 of warm-up`);
for (const c of CONDITIONS) {
  const mine = keys.map((k) => bursts.get(k)).filter((b, i) => conditionOf(registeredAt + keys[i] * 1000 + 1) === c && b.cpuMs !== undefined);
  console.log(`${c.padEnd(8)} main thread CPU ${median(mine.map((b) => b.cpuMs)).toFixed(1)} ms a burst (${mine.map((b) => b.cpuMs.toFixed(1)).join(' ')}), drain ${median(mine.map((b) => b.drainMs)).toFixed(1)} ms`);
}
