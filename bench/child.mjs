/**
 * One measurement in a fresh process: one library, one N, one kind (interval | cron).
 *
 * Run by run.mjs with `node --expose-gc --max-old-space-size=4096 child.mjs <lib> <n> <kind>
 * <seconds> <warmup> [spread|registration]`; sends one result object over IPC, then exits. Phases:
 *   1. import the adapter (and its library), create the scheduler instance, GC, read heap;
 *   2. register N jobs (timed), GC, read heap again: heap per job before the first fire;
 *   3. start firing, let the jobs run for the warm-up;
 *   4. the measured window of S seconds starts and ends on half seconds (jobs on whole seconds
 *      sit in the middle); CPU is read at both ends, fires are counted by intended time;
 *   5. a grace period of 2 s lets late fires whose intended time lay in the window arrive;
 *   6. send the result and exit (without stopping the library: exiting ends every timer).
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { createHarness, PERIOD_MS } from './lib/harness.mjs';
import { drift } from './lib/clock.mjs';
import { summarize } from './lib/stats.mjs';
import { settledHeap } from './lib/heap.mjs';

const [lib, nArg, kind, secondsArg, warmupArg, phaseArg = 'spread'] = process.argv.slice(2);
const n = Number(nArg);
const seconds = Number(secondsArg);
const warmup = Number(warmupArg);
const GRACE_MS = 2000;

if (typeof global.gc !== 'function') throw new Error('run with --expose-gc');
const send = (msg) => (process.send ? new Promise((r) => process.send(msg, r)) : Promise.resolve(console.log(JSON.stringify(msg))));
const phase = (name) => process.send?.({ stage: name });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * CPU time of the main (JavaScript) thread in ns, from Linux's `/proc/self/task/<pid>/schedstat`;
 * `null` elsewhere. `process.cpuUsage()` also counts V8's worker threads (concurrent compilation
 * and GC), which at 1k jobs in the first seconds are about half of it (see README.md, bursts).
 */
function mainThreadCpuNs() {
  try {
    return Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]);
  } catch {
    return null;
  }
}

/** Turns 20,000 distinct numbers into strings (dropped at once), so V8's number-to-string cache is at its full size. */
function numberStringCacheWarm() {
  let length = 0;
  for (let i = 0; i < 20_000; i++) length += `${i}`.length;
  return length;
}

async function main() {
  phase('loading');
  const h = createHarness({ n, seconds });
  const adapter = await import(`./adapters/${lib}.mjs`);
  const instance = await adapter.create({ kind, h, phase: phaseArg });

  // Phase messages allocate (IPC), so none is sent between the two heap readings.
  phase('registering');
  // V8's number-to-string cache (one per process) grows to its full size, 128-256 KB, the first
  // time a few hundred distinct numbers become strings, as job ids like `job-${i}` do: at 1k jobs
  // that is 130-260 B/job of V8's, not the library's. Grow it here for every library alike.
  numberStringCacheWarm();
  // The first readings after import move by ~50 KB as the loop and timer state settle; wait it out.
  for (let i = 0; i < 3; i++) { await sleep(20); await settledHeap(); }
  const heap0 = await settledHeap();
  const r0 = performance.now();
  await instance.register(n);
  const registerMs = performance.now() - r0;
  const firedBeforeRegistered = h.state.total;
  const heap1 = await settledHeap();
  const firedBeforeHeap = h.state.total;

  phase('running');
  await instance.start?.();

  // Window on half seconds, after the warm-up.
  const t = h.now();
  const winStart = Math.ceil(t / PERIOD_MS) * PERIOD_MS + warmup * 1000 + PERIOD_MS / 2;
  const winEnd = winStart + seconds * 1000;
  h.state.winStart = winStart;
  h.state.winEnd = winEnd;

  await sleep(winStart - h.now());
  const mainA = mainThreadCpuNs();
  const cpuA = process.cpuUsage();
  const firesA = h.state.total;
  const atA = h.now();
  await sleep(winEnd - h.now());
  const cpuB = process.cpuUsage(cpuA);
  const mainB = mainThreadCpuNs();
  const firesB = h.state.total;
  const atB = h.now();
  await sleep(winEnd + GRACE_MS - h.now());
  const clockDrift = drift();
  // No instance.stop(): the process exits right after sending the result, and a library whose
  // shutdown takes minutes (node-schedule at 100k) must not lose a finished measurement.

  const firesInWindow = firesB - firesA;
  const cpuUs = cpuB.user + cpuB.system;
  const lateness = summarize(h.lateness, h.state.recorded);
  return {
    lib, n, kind, seconds, warmup, phase: phaseArg,
    status: 'ok',
    expected: n * seconds,
    delivered: h.state.delivered,
    lateness,
    cpuUs,
    cpuWindowMs: atB - atA,
    snapshotLagMs: [atA - winStart, atB - winEnd],
    firesInWindow,
    cpuUsPerFire: firesInWindow > 0 ? cpuUs / firesInWindow : null,
    mainThreadCpuUsPerFire: firesInWindow > 0 && mainA !== null && mainB !== null ? (mainB - mainA) / 1000 / firesInWindow : null,
    heapBytesPerJob: (heap1 - heap0) / n,
    heapBefore: heap0,
    heapAfter: heap1,
    firedBeforeRegistered,
    firedBeforeHeap,
    registerMs,
    clockDriftMs: clockDrift,
    rssAfter: process.memoryUsage().rss,
    note: instance.note ?? null,
  };
}

main().then(
  async (result) => { await send(result); process.exit(0); },
  async (err) => {
    await send({ lib, n, kind, status: 'error', error: String(err?.stack ?? err) });
    process.exit(1);
  },
);
