#!/usr/bin/env node
/**
 * When, within each burst, the fires happen: one library (`bare-loop` or `xcore`), N jobs due at
 * the same instant every second (`--phase burst`, as `child.mjs`), and per burst second the
 * lateness of its first fire, its median, p99 and last fire, the longest gaps between two
 * consecutive fires (where in the burst and how long), and the garbage collections that overlapped
 * the burst. Tells a burst's p99 set by its total CPU (fires evenly spaced up to the last) from one
 * set by a stall (a gap: a GC pause, a long synchronous chunk, a timer armed too late).
 *
 *   node --expose-gc bench/burst-timeline.mjs <bare-loop|xcore> [N=10000] [interval|cron] [seconds=6] [warmup=2]
 */
import { PerformanceObserver, performance } from 'node:perf_hooks';
import { createHarness, PERIOD_MS } from './lib/harness.mjs';

const [lib = 'xcore', nArg = '10000', kind = 'interval', secondsArg = '6', warmupArg = '2'] = process.argv.slice(2);
const n = Number(nArg);
const seconds = Number(secondsArg);
const warmup = Number(warmupArg);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const h = createHarness({ n, seconds });
const capacity = n * (seconds + warmup + 4);
const at = new Float64Array(capacity);
const intendedAt = new Float64Array(capacity);
let count = 0;
const fire = h.fire;
/** The harness's fire, plus the callback time and intended time of every fire. */
h.fire = (i, intended) => {
  fire(i, intended);
  if (count < capacity) {
    at[count] = h.now();
    intendedAt[count++] = intended;
  }
};
const gcs = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) gcs.push({ start: e.startTime + performance.timeOrigin, ms: e.duration, kind: e.detail?.kind });
}).observe({ entryTypes: ['gc'] });

const adapter = await import(`./adapters/${lib}.mjs`);
const instance = await adapter.create({ kind, h, phase: 'burst' });
await instance.register(n);
globalThis.gc?.();
await instance.start?.();
const t0 = Math.ceil(h.now() / PERIOD_MS) * PERIOD_MS + warmup * 1000;
await sleep(t0 + seconds * 1000 + 1500 - h.now());

const f = (x) => x.toFixed(2);
console.log(`${lib} ${kind} N=${n}: per burst second, lateness ms of the first / p50 / p99 / last fire; the 3 longest gaps between consecutive fires (at fire #, ms); GCs overlapping the burst`);
for (let s = 0; s < seconds; s++) {
  const due = t0 + s * 1000;
  const late = [];
  const times = [];
  for (let k = 0; k < count; k++) {
    if (intendedAt[k] === due) {
      late.push(at[k] - due);
      times.push(at[k]);
    }
  }
  if (late.length === 0) continue;
  const sorted = [...late].sort((a, b) => a - b);
  const gaps = [];
  for (let k = 1; k < times.length; k++) gaps.push([k, times[k] - times[k - 1]]);
  gaps.sort((a, b) => b[1] - a[1]);
  const end = times[times.length - 1];
  const gc = gcs.filter((g) => g.start + g.ms >= due && g.start <= end).map((g) => `${g.kind}@${f(g.start - due)}+${f(g.ms)}`);
  console.log(`+${s}s fires=${late.length} first=${f(late[0])} p50=${f(sorted[Math.floor(sorted.length * 0.5)])} p99=${f(sorted[Math.floor(sorted.length * 0.99)])} last=${f(late[late.length - 1])} gaps=${gaps.slice(0, 3).map(([k, g]) => `#${k}:${f(g)}`).join(' ')} gc=${gc.join(' ') || '-'}`);
}
process.exit(0);
