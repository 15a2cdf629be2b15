#!/usr/bin/env node
/**
 * CPU per fire of two xcore checkouts in one process, taking turns: a fresh scheduler of checkout
 * A, then of B, then A again..., each with N jobs due at the same instant (`every: 1000`, or
 * `cron: '* * * * * *'`) on a MemoryStore, measured over a window after a warm-up. Turns in one
 * process see the same machine load far more alike than separate processes do (a shared machine's
 * load changes from one run to the next). Jobs are one closure each calling a `fire` like the
 * benchmark harness's, as `bench/run.mjs` registers them. Prints main-thread CPU µs per fire of each turn and the
 * median per checkout.
 *
 *   node --expose-gc bench/cpu-ab-inproc.mjs <checkout A> <checkout B> [N=10000] [interval|cron] [rounds=4] [windowMs=3000]
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [a, b, n = '10000', kind = 'interval', roundsArg = '4', windowArg = '3000'] = process.argv.slice(2);
if (a === undefined || b === undefined || !['interval', 'cron'].includes(kind)) {
  console.error('usage: node --expose-gc bench/cpu-ab-inproc.mjs <checkout A> <checkout B> [N=10000] [interval|cron] [rounds=4] [windowMs=3000]');
  process.exit(2);
}
const N = Number(n);
const rounds = Number(roundsArg);
const windowMs = Number(windowArg);

/** CPU time of the main (JavaScript) thread in µs (Linux). */
function mainThreadUs() {
  return Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]) / 1000;
}

async function load(dir) {
  const root = resolve(dir);
  const { Scheduler, MemoryStore } = await import(pathToFileURL(`${root}/packages/scheduler/dist/index.js`).href);
  const { createLogger } = await import(pathToFileURL(`${root}/packages/core/dist/index.js`).href);
  return { root, Scheduler, MemoryStore, logger: createLogger({ level: 'warn', pretty: false }) };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let fires = 0;
let lateness = 0;
/** What every job calls, as the benchmark harness's `fire` (bench/lib/harness.mjs): a clock read and a lateness sum. */
function fire(i, intended) {
  fires++;
  lateness += performance.now() + performance.timeOrigin - intended;
}

async function turn(c) {
  const scheduler = new c.Scheduler({ store: new c.MemoryStore(), logger: c.logger });
  // One closure per job, as bench/adapters/xcore.mjs registers them.
  for (let i = 0; i < N; i++) await scheduler.addJob((ctx) => fire(i, ctx.scheduledAt.getTime()), kind === 'cron' ? { id: `j${i}`, cron: '* * * * * *' } : { id: `j${i}`, every: 1000 });
  globalThis.gc?.();
  scheduler.startFiring();
  await sleep(2200);
  const f0 = fires;
  const m0 = mainThreadUs();
  const c0 = process.cpuUsage();
  await sleep(windowMs);
  const main = mainThreadUs() - m0;
  const cpu = process.cpuUsage(c0);
  const fired = fires - f0;
  await scheduler.stop({ deadlineMs: 100 });
  return { main: main / fired, cpu: (cpu.user + cpu.system) / fired, fired };
}

const checkouts = [await load(a), await load(b)];
const results = [[], []];
for (let r = 0; r < rounds; r++) {
  for (let k = 0; k < 2; k++) {
    const res = await turn(checkouts[k]);
    results[k].push(res);
    console.log(`${k === 0 ? 'A' : 'B'} ${checkouts[k].root} ${kind} N=${N} fires=${res.fired} main=${res.main.toFixed(3)}us cpu=${res.cpu.toFixed(3)}us`);
  }
}
const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
for (let k = 0; k < 2; k++) {
  const main = results[k].map((x) => x.main);
  console.log(`${k === 0 ? 'A' : 'B'} median main ${median(main).toFixed(3)}us (min ${Math.min(...main).toFixed(3)}) cpu ${median(results[k].map((x) => x.cpu)).toFixed(3)}us ${checkouts[k].root}`);
}
process.exit(0);
