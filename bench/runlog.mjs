#!/usr/bin/env node
// The run log's cost to the runner, sink on (PostgresRunLog) against off, 10k runs a second.
//
// --modes off,on (default; also `eager`: the sink without writeRun, records built on the run path).
//   A mode may name a checkout to take xcore from (built): `on@/tmp/xcore-base` runs the sink (and
//   the scheduler) of that checkout, to compare two versions in one interleaved run. Settings
//   after the kind apply to that mode alone: `~pgN` / `~wN` (--pg-nice / --writer-nice), `~bN`
//   (--batch), `~fN` (--flush), e.g. `on~pg19~w19`, `on~b2000`.
// --control 1 (default): a second off run in every rep (`off~ctl`), compared with off like any
//   mode: its ratio and interval are this run's noise, printed beside each mode's (0: none).
// --pg-nice N: renice the sink's PostgreSQL backends to N at the window's start (root only), to see
//   how much of the sink's cost to the runner is PostgreSQL competing for the same cores.
// --writer-nice N: renice the sink's writer thread to N at the window's start (Linux; found as the
//   child's threads whose nice is above the main thread's, see insert-worker.mjs).
// --runner scheduler (default): a real Scheduler on the memory store runs `rate` jobs of period
//   1 s (10k runs/s; 1 % throw, the rest return a small object), with the sink as its `runLog`
//   (on) or none (off). Measured: each run's start lateness as its handler sees it (sub-ms:
//   performance.now() calibrated to Date.now(), minus scheduledAt), a 1 ms timer beside it, and
//   per run the CPU of the main thread, the sink's writer thread, the whole process and the sink's
//   PostgreSQL backends (Linux schedstat), GC pauses, and how long the main thread waited for a CPU.
// --paired 1: instead of off/on processes, each process (ab) runs the sink on in every other burst
//   and off in the rest (the parity alternating by rep), and a control process (abctl) never
//   writes to it: on against off within one process (same heap, JIT, machine drift), the control
//   being the noise between a process's two halves. Per burst also: the main thread's CPU and its
//   wait for a CPU from the burst's first run to its last (every mode; `burstCosts` in --save).
// --runner loop: a 1 ms timer that builds 10 records per ms with toRunLogRecord and writes them
//   (the sink alone, without the scheduler).
//
// Each run is a fresh child process. A rep runs every mode once (interleaved: off, on, off, on...),
// in an order rotated from rep to rep and reversed every other round, so drift on a shared machine
// hits every mode alike. Reps of 8 s windows (default 8, about 5 minutes with the control: 8 bursts
// of 10k runs per run, 64 per mode; with 3 s windows a run's p99 was its worst of 3 bursts and off
// against off differed by up to 1.5x) give the spread: per mode, the p99 of all its runs pooled as
// a ratio to off's, with a 90 % interval from a paired bootstrap over the reps, the per-rep ratios'
// median and range, a typical second's p99, and the same for the control; the verdict against the
// target (at most 1.10) is "met" only when the whole interval is at or below it AND the control's
// interval lies inside 0.90-1.10 (else the run cannot resolve 10 %), "not met" when the interval is
// all above 1.10, else "undecided" (saying why).
//
//   pnpm build && node bench/runlog.mjs [--runner scheduler|loop] [--seconds 8] [--warmup 2] [--rate 10000] [--reps 8] [--modes off,on] [--control 1] [--paired 0]
//     [--batch 2000] [--flush 200] [--pg-nice 0] [--writer-nice 0] [--url postgres://postgres@127.0.0.1:5432/postgres]
//
// The admin URL must be able to CREATE DATABASE; the bench works in a throwaway database it drops.
import { fork } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, setPriority, totalmem } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { execFileSync } from 'node:child_process';
import pg from 'pg';
import { throwawayDatabase } from './lib/throwaway-database.mjs';

const SELF = fileURLToPath(import.meta.url);

function args() {
  const out = { runner: 'scheduler', modes: 'off,on', control: 1, seconds: 8, warmup: 2, rate: 10_000, reps: 8, batch: 2000, flush: 200, priority: -10, 'pg-nice': 0, 'writer-nice': 0, save: '', summarize: '', paired: 0, url: process.env.XCORE_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres' };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i]?.replace(/^--/, '');
    if (!(key in out)) throw new Error(`unknown flag --${key}; flags: ${Object.keys(out).map((k) => `--${k}`).join(' ')}`);
    out[key] = typeof out[key] === 'number' ? Number(argv[i + 1]) : argv[i + 1];
  }
  return out;
}

// ------------------------------------------------------------------------------------------------
// Child: one measured run.
// ------------------------------------------------------------------------------------------------

/**
 * One measured run of a real Scheduler: `rate` jobs every 1 s. Returns the start lateness of the
 * runs (ms, whole: records hold epoch ms) and of a 1 ms timer (sub-ms) in the measured window.
 */
/** xcore's packages: this checkout's (bare specifiers), or the built checkout a mode names (`on@<dir>`). */
async function xcore(mode) {
  mode = mode.replace(/~[a-z]+-?\d*/g, '');
  const at = mode.indexOf('@');
  if (at < 0) return { scheduler: await import('@xcore/scheduler'), runlog: await import('@xcore/runlog-postgres'), core: await import('@xcore/core') };
  const root = pathToFileURL(`${resolve(mode.slice(at + 1))}/packages/`).href;
  return {
    scheduler: await import(`${root}scheduler/dist/index.js`),
    runlog: await import(`${root}runlog-postgres/dist/index.js`),
    core: await import(`${root}core/dist/index.js`),
  };
}

/** The sink kind of a mode: off, on or eager. */
const kindOf = (mode) => mode.split('@')[0].split('~')[0];

/** `opts` with the settings a mode names after `~`: `pgN`, `wN` (nice values), `bN` (batchSize), `fN` (flushMs). */
function withModeNice(mode, opts) {
  const kind = mode.split('@')[0];
  const out = { ...opts };
  for (const [, key, value] of kind.matchAll(/~([a-z]+)(-?\d+)/g)) {
    const flag = { pg: 'pg-nice', w: 'writer-nice', b: 'batch', f: 'flush' }[key];
    if (flag === undefined) throw new Error(`mode ${mode}: unknown setting ~${key}${value}; known: ~pgN ~wN ~bN ~fN`);
    out[flag] = Number(value);
  }
  return out;
}

async function childScheduler(mode, opts) {
  opts = withModeNice(mode, opts);
  const x = await xcore(mode);
  const { Scheduler, MemoryStore } = x.scheduler;
  const { PostgresRunLog } = x.runlog;
  const { createLogger } = x.core;
  mode = kindOf(mode);
  const { performance, PerformanceObserver } = await import('node:perf_hooks');
  const { now: epochNow } = await import('./lib/clock.mjs');
  const logger = createLogger({ level: 'silent', pretty: false });
  const paired = mode === 'ab' || mode === 'abctl';
  const sink = mode !== 'off'
    ? await PostgresRunLog.open({ url: opts.dbUrl, schema: opts.schema, batchSize: opts.batch, flushMs: opts.flush, retention: null, logger: { warn: (o, m) => process.stderr.write(`${m}\n`), error: (o, m) => process.stderr.write(`${m}\n`) } })
    : undefined;
  // eager: the same sink seen without writeRun, so the record is built (and validated) on the run
  // path and encoded on the loop, as any sink without writeRun gets it (and as every run did before).
  // ab (--paired): one process, the sink on in every other burst (by the burst's number: even ones
  // when `opts.onParity` is 0), off in the rest, so both halves share the process, its heap, its JIT
  // and the machine's drift; the run path is the same in both (the observer calls writeRun), only
  // the forwarding differs. abctl: the same process shape, the sink never written (its control).
  const onParity = opts.onParity ?? 0;
  const runLog = mode === 'eager'
    ? { write: (r) => sink.write(r), query: (f) => sink.query(f), flush: (o) => sink.flush(o), close: (o) => sink.close(o), stats: () => sink.stats() }
    : paired
      ? {
        write: (r) => sink.write(r), query: (f) => sink.query(f), flush: (o) => sink.flush(o), close: (o) => sink.close(o), stats: () => sink.stats(),
        writeRun: (input) => { if (mode === 'ab' && (Math.floor((input.record.scheduledAt - registeredAt) / 1000) & 1) === onParity) sink.writeRun(input); },
      }
      : sink;
  const scheduler = new Scheduler({ store: new MemoryStore(), logger, owner: 'bench-1', ...(runLog === undefined ? {} : { runLog }) });
  // Each run's start lateness as its handler sees it: the sub-ms clock (performance.now() calibrated
  // to Date.now(), bench/lib/clock.mjs) against the occurrence's due time.
  const runLate = new Float64Array(Math.ceil(opts.seconds * opts.rate * 1.5) + 1000);
  // The second (burst) each run belongs to, counted from the first job's registration: the jobs'
  // phases lie within the registration time (under a second), so one burst is one number.
  const runBurst = new Int32Array(runLate.length);
  let registeredAt = 0;
  let runs = 0;
  let measuring = false;
  /** `measuring` as 1 or 0, for counters that run the same operations in the warm-up as in the window. */
  let live = 0;
  let windowRuns = 0;
  const late = (ctx) => {
    // The same work in the warm-up as in the window (the warm-up's samples overwrite slot 0): a
    // store first made in the window had no type feedback, and deoptimised the run path's
    // functions that inlined it in the window's first burst (the slowest burst of every run).
    if (runs >= runLate.length) return;
    const due = ctx.scheduledAt.getTime();
    const key = Math.floor((due - registeredAt) / 1000);
    runBurst[runs] = key;
    runLate[runs] = epochNow() - due;
    runs = (runs + 1) * live;
    // Inside each burst, from its first run's start to its last one's (two /proc reads a burst, in
    // every mode): the main thread's CPU and its wait for a CPU, i.e. where the drain time went.
    if (key !== burstKey) {
      burstKey = key;
      burstRuns = 0;
      burstAt = { sched: schedstat(), cpu: process.threadCpuUsage?.(), t: epochNow() };
    }
    if (++burstRuns === opts.rate && burstAt !== undefined) {
      const sched = schedstat();
      const cpu = process.threadCpuUsage?.(burstAt.cpu);
      burstCost.set(key, [
        Math.round((epochNow() - burstAt.t) * 100) / 100,
        cpu === undefined ? null : Math.round((cpu.user + cpu.system) / 10) / 100,
        sched === undefined || burstAt.sched === undefined ? null : Math.round((sched.waitNs - burstAt.sched.waitNs) / 1e4) / 100,
      ]);
    }
  };
  let burstKey = -1;
  let burstRuns = 0;
  let burstAt;
  /** Per burst: [ms from its first run's start to its last's, main thread CPU ms in it, main thread's wait for a CPU ms in it]. */
  const burstCost = new Map();
  const failure = new Error('upstream answered 503');
  registeredAt = Date.now();
  for (let i = 0; i < opts.rate; i++) {
    const fn = i % 100 === 0 ? (ctx) => { late(ctx); throw failure; } : (ctx) => { late(ctx); return { processed: ctx.attempt }; };
    await scheduler.addJob(fn, { id: `job-${i}`, every: '1s' });
  }
  scheduler.observeRuns({ ended: () => { windowRuns += live; } });
  // GC pauses in the window: the sink's per-run strings live until their batch is sent.
  let gcMs = 0;
  let gcMajor = 0;
  const gcByBurst = new Map();
  const gcObserver = new PerformanceObserver((list) => {
    if (!measuring) return;
    for (const e of list.getEntries()) {
      gcMs += e.duration;
      const major = (e.detail?.kind ?? e.kind) === 2; // NODE_PERFORMANCE_GC_MAJOR
      if (major) gcMajor++;
      // Per burst (second since registration, as runBurst counts them): which second a pause fell in.
      const key = Math.floor((performance.timeOrigin + e.startTime - registeredAt) / 1000);
      const g = gcByBurst.get(key) ?? { ms: 0, major: 0 };
      g.ms += e.duration;
      g.major += major ? 1 : 0;
      gcByBurst.set(key, g);
    }
  });
  gcObserver.observe({ entryTypes: ['gc'] });
  const probe = await backendProbe(opts.dbUrl);
  scheduler.startFiring();
  const tickLate = new Float64Array(Math.ceil(opts.seconds * 1000 * 1.2) + 1000);
  let ticks = 0;
  let cpuAtWindow;
  let threadAtWindow;
  let eluAtWindow;
  let backendAtWindow;
  let schedAtWindow;
  let writerAtWindow;
  const start = performance.now();
  const warmEnd = start + opts.warmup * 1000;
  const end = warmEnd + opts.seconds * 1000;
  await new Promise((resolve) => {
    let expected = start + 1;
    const tick = () => {
      const now = performance.now();
      if (ticks < tickLate.length) tickLate[ticks] = now - expected;
      ticks = (ticks + 1) * live;
      if (!measuring && now >= warmEnd) {
        measuring = true;
        live = 1;
        cpuAtWindow = process.cpuUsage();
        threadAtWindow = process.threadCpuUsage?.();
        eluAtWindow = performance.eventLoopUtilization();
        // Asked in every mode (the same query's cost on the loop); with no sink there are no backends.
        void backendCpu(probe, opts['pg-nice']).then((b) => { backendAtWindow = b; });
        if (opts['writer-nice'] !== 0) reniceWriter(opts['writer-nice']);
        schedAtWindow = schedstat();
        writerAtWindow = writerCpuNs();
      }
      if (now >= end) return resolve();
      expected = performance.now() + 1;
      setTimeout(tick, 1);
    };
    setTimeout(tick, 1);
  });
  measuring = false;
  live = 0;
  const cpu = process.cpuUsage(cpuAtWindow);
  const thread = threadAtWindow === undefined ? undefined : process.threadCpuUsage(threadAtWindow);
  const elu = performance.eventLoopUtilization(eluAtWindow);
  const schedAtEnd = schedstat();
  const writerAtEnd = writerCpuNs();
  const backendAtEnd = await backendCpu(probe);
  await probe?.end().catch(() => undefined);
  gcObserver.disconnect();
  await scheduler.stop({ deadlineMs: 1000 });
  let flushMs = null;
  let stats = null;
  if (sink !== undefined) {
    const t = performance.now();
    await sink.flush({ timeoutMs: 120_000 });
    flushMs = performance.now() - t;
    stats = sink.stats();
  }
  await scheduler.dispose();
  const q = (arr, n) => {
    const s = arr.subarray(0, n).sort();
    return { s, at: (p) => s[Math.min(n - 1, Math.ceil(p * n) - 1)] };
  };
  // Whole bursts only: the window's first and last seconds hold part of a burst each (the first
  // one its latest runs alone, which made the p99 of all runs about the first second's tail).
  const { bursts, whole, keys, byParity } = wholeBursts(runLate, runBurst, runs);
  // Per whole burst: GC ms and major GCs in its second (to tell what a slow second had).
  const burstGc = keys.map((key) => { const g = gcByBurst.get(key); return g === undefined ? [0, 0] : [Math.round(g.ms * 100) / 100, g.major]; });
  const burstCosts = keys.map((key) => burstCost.get(key) ?? null);
  const r = q(whole, whole.length);
  const t = q(tickLate, ticks);
  let lateTicks = 0;
  for (let k = 0; k < ticks; k++) if (t.s[k] > 1) lateTicks++;
  const cpuMs = (cpu.user + cpu.system) / 1000;
  return {
    mode, samples: ticks, produced: windowRuns, windowRate: windowRuns / opts.seconds, late: lateTicks, sorted: Array.from(r.s), bursts, burstGc, burstCosts, burstKeys: keys, onParity: paired ? onParity : null,
    ...(paired ? { sortedOn: byParity[onParity], sortedOff: byParity[1 - onParity] } : {}),
    p50: r.at(0.5), p90: r.at(0.9), p99: r.at(0.99), max: r.s[runs - 1],
    tickP50: t.at(0.5), tickP99: t.at(0.99), tickMax: t.s[ticks - 1],
    cpuPct: (cpuMs / (opts.seconds * 1000)) * 100,
    // The event loop's own thread: CPU per run (Node >= 23.9 has process.threadCpuUsage) and busy share.
    mainUsPerRun: thread === undefined ? null : (thread.user + thread.system) / windowRuns,
    // The sink's writer thread (Linux: the threads at a higher nice than the loop's), per run.
    writerUsPerRun: writerAtWindow === undefined || writerAtEnd === undefined || mode === 'off' ? null : (writerAtEnd - writerAtWindow) / 1000 / windowRuns,
    // The whole process (every thread: loop, writer, GC helpers, libuv), per run.
    processUsPerRun: (cpuMs * 1000) / windowRuns,
    loopBusyPct: elu.utilization * 100,
    gcMsPerS: gcMs / opts.seconds, gcMajor,
    // Linux: how long the event loop's thread was ready to run but waited for a CPU (ms per s).
    mainWaitMsPerS: schedAtWindow === undefined || schedAtEnd === undefined ? null : (schedAtEnd.waitNs - schedAtWindow.waitNs) / 1e6 / opts.seconds,
    // The sink's PostgreSQL backends on this machine: the CPU the run log costs beyond this process.
    pgCpuPct: backendAtWindow !== undefined && backendAtEnd !== undefined ? ((backendAtEnd - backendAtWindow) / (opts.seconds * 1000)) * 100 : null,
    pgUsPerRun: backendAtWindow !== undefined && backendAtEnd !== undefined && mode !== 'off' ? ((backendAtEnd - backendAtWindow) * 1000) / windowRuns : null,
    flushMs, stats,
  };
}

async function child(mode, opts) {
  if (opts.runner === 'scheduler') return childScheduler(mode, opts);
  opts = withModeNice(mode, opts);
  const x = await xcore(mode);
  const { toRunLogRecord } = x.scheduler;
  const { PostgresRunLog } = x.runlog;
  mode = kindOf(mode);
  const { performance } = await import('node:perf_hooks');
  const sink = mode === 'on'
    ? await PostgresRunLog.open({ url: opts.dbUrl, schema: opts.schema, batchSize: opts.batch, flushMs: opts.flush, retention: null, logger: { warn: (o, m) => process.stderr.write(`${m}\n`), error: (o, m) => process.stderr.write(`${m}\n`) } })
    : undefined;
  const probe = sink === undefined ? undefined : await backendProbe(opts.dbUrl);

  const samples = new Float64Array(Math.ceil(opts.seconds * 1000 * 1.2) + 1000);
  let count = 0;
  let produced = 0;
  let measuring = false;
  const failure = new Error('upstream answered 503');
  const start = performance.now();
  const warmEnd = start + opts.warmup * 1000;
  const end = warmEnd + opts.seconds * 1000;
  let cpuAtWindow;
  let backendAtWindow;
  let producedAtWindow = 0;
  const perMs = opts.rate / 1000;
  let owed = 0;
  let last = start;
  let i = 0;

  // The runner's stand-in: a 1 ms timer that, on each tick, finishes the runs due since the last
  // tick (10 per ms at 10k/s) and hands each record to the sink; its own lateness is the measure.
  await new Promise((resolve) => {
    let expected = start + 1;
    const tick = () => {
      const now = performance.now();
      if (measuring && count < samples.length) samples[count++] = now - expected;
      owed += (now - last) * perMs;
      last = now;
      while (owed >= 1) {
        owed -= 1;
        const t = Date.now();
        const failed = i % 100 === 0;
        const record = toRunLogRecord({
          record: { jobId: `bench:job-${i % 1000}`, scheduledAt: t - 3, startedAt: t - 2, finishedAt: t, status: failed ? 'failed' : 'succeeded', attempts: 1, owner: 'bench-1' },
          jobOwner: 'bench',
          ...(failed ? { error: failure } : { result: { processed: i & 63 } }),
        });
        if (sink !== undefined) sink.write(record);
        produced++;
        i++;
      }
      if (!measuring && now >= warmEnd) {
        measuring = true;
        cpuAtWindow = process.cpuUsage();
        producedAtWindow = produced;
        if (sink !== undefined) void backendCpu(probe, opts['pg-nice']).then((b) => { backendAtWindow = b; });
      }
      if (now >= end) return resolve();
      expected = performance.now() + 1;
      setTimeout(tick, 1);
    };
    setTimeout(tick, 1);
  });
  const cpu = process.cpuUsage(cpuAtWindow);
  const backendAtEnd = sink === undefined ? undefined : await backendCpu(probe);
  await probe?.end().catch(() => undefined);
  const windowProduced = produced - producedAtWindow;
  let flushMs = null;
  let stats = null;
  if (sink !== undefined) {
    const t = performance.now();
    await sink.flush({ timeoutMs: 120_000 });
    flushMs = performance.now() - t;
    stats = sink.stats();
    await sink.close();
  }
  const s = samples.subarray(0, count).sort();
  const at = (q) => s[Math.min(count - 1, Math.ceil(q * count) - 1)];
  let late = 0;
  for (let k = 0; k < count; k++) if (s[k] > 1) late++;
  return {
    mode, samples: count, produced, windowRate: windowProduced / opts.seconds, late, sorted: Array.from(s),
    p50: at(0.5), p90: at(0.9), p99: at(0.99), max: s[count - 1],
    cpuPct: ((cpu.user + cpu.system) / 1000 / (opts.seconds * 1000)) * 100,
    pgCpuPct: backendAtWindow !== undefined && backendAtEnd !== undefined ? ((backendAtEnd - backendAtWindow) / (opts.seconds * 1000)) * 100 : null,
    flushMs, stats,
  };
}

/**
 * The whole bursts (seconds) of the window: runs grouped by their burst number, the first and last
 * groups left out (the window cuts them). @returns each whole burst's p99 (`bursts`) and the
 * lateness of all their runs (`whole`).
 */
function wholeBursts(late, burst, n) {
  const groups = new Map();
  for (let k = 0; k < n; k++) {
    let g = groups.get(burst[k]);
    if (g === undefined) groups.set(burst[k], (g = []));
    g.push(late[k]);
  }
  const keys = [...groups.keys()].sort((a, b) => a - b).slice(1, -1);
  const whole = new Float64Array(keys.reduce((sum, key) => sum + groups.get(key).length, 0));
  /** The whole bursts' samples by the parity of their number (even, odd): the halves of a paired run. */
  const byParity = [[], []];
  let at = 0;
  const bursts = keys.map((key) => {
    const s = groups.get(key).sort((a, b) => a - b);
    whole.set(s, at);
    at += s.length;
    for (const v of s) byParity[key & 1].push(v);
    return s[Math.min(s.length - 1, Math.ceil(0.99 * s.length) - 1)];
  });
  return { bursts, whole, keys, byParity };
}

/** The event loop thread's scheduler counters (Linux /proc schedstat: ns on a CPU, ns waiting for one), or undefined. */
function schedstat() {
  try {
    const [runNs, waitNs] = readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ').map(Number);
    return { runNs, waitNs };
  } catch {
    return undefined;
  }
}

/** Nice of a thread of this process (Linux /proc). */
const niceOf = (tid) => Number(readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').split(') ')[1].split(' ')[16]);

/**
 * This process's writer thread(s) (the sink's, `worker/insert-worker.mjs`): the threads whose nice
 * is higher than the main thread's (the writer lowers its own; Node's other threads keep the
 * process's). Linux only: empty elsewhere.
 */
function writerTids() {
  try {
    const main = niceOf(process.pid);
    return readdirSync('/proc/self/task').filter((tid) => niceOf(tid) > main).map(Number);
  } catch {
    return [];
  }
}

/** Renices this process's writer thread to `nice` (see writerTids). Linux only; a no-op elsewhere. */
function reniceWriter(nice) {
  for (const tid of writerTids()) {
    try {
      setPriority(tid, nice);
    } catch {
      // not allowed
    }
  }
}

/** CPU ns the writer thread(s) used so far (schedstat), or undefined when there is none or not on Linux. */
function writerCpuNs() {
  const tids = writerTids();
  if (tids.length === 0) return undefined;
  let ns = 0;
  for (const tid of tids) ns += Number(readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
  return ns;
}

/**
 * CPU ms used so far by the PostgreSQL backends of the sink's connections (Linux, server on this
 * machine: /proc/<pid>/stat), or undefined where that cannot be read. With `nice` (not 0), renices
 * them to it first (needs the right to).
 */
async function backendCpu(probe, nice = 0) {
  const c = await probe;
  if (c === undefined) return undefined;
  try {
    const { rows } = await c.query("SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'xcore-runlog'");
    let ns = 0;
    for (const { pid } of rows) {
      if (nice !== 0) setPriority(pid, nice);
      ns += Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]); // ns on a CPU
    }
    return ns / 1e6;
  } catch {
    return undefined;
  }
}

/**
 * The connection {@link backendCpu} asks on, opened before the measured window (in every mode):
 * opening it at the window's start (a PostgreSQL backend forked, the client's startup) made the
 * window's first burst the slowest of its run.
 */
async function backendProbe(dbUrl) {
  const c = new pg.Client({ connectionString: dbUrl });
  try {
    await c.connect();
    return c;
  } catch {
    return undefined;
  }
}

// ------------------------------------------------------------------------------------------------
// Parent: database, alternating children, table.
// ------------------------------------------------------------------------------------------------

function runChild(mode, opts) {
  return new Promise((resolve, reject) => {
    const proc = fork(SELF, ['--child', mode, JSON.stringify(opts)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    // Both modes get the same raised priority (when allowed), so the measured loop is less at the
    // mercy of other work on a shared machine, PostgreSQL's included.
    let priority = 0;
    try {
      setPriority(proc.pid, opts.priority);
      priority = opts.priority;
    } catch {
      // not allowed here: both modes run at the default priority
    }
    let result;
    proc.on('message', (m) => { result = { ...m, mode, priority }; });
    proc.on('exit', (code) => (result ? resolve(result) : reject(new Error(`${mode} child exited with ${code}`))));
  });
}

/** The schema a child's sink writes to: one per rep and mode. */
const schemaOf = (rep, mode) => `bench_${rep}_${mode.replace(/\W/g, '_')}`;

const fmt = (v, d = 2) => (v === null || v === undefined ? '–' : Number(v).toFixed(d));

/** Lateness histogram bins: 0.05 ms wide, the last one catching everything from 2 s on. */
const BIN_MS = 0.05;
const BINS = 40_000;

/** A run's samples (sorted) as histogram counts. */
function histogramOf(sorted) {
  const h = new Uint32Array(BINS + 1);
  for (const v of sorted) h[Math.min(BINS, Math.max(0, Math.floor(v / BIN_MS)))]++;
  return h;
}

/** The `q` quantile of the summed histograms `hs` (upper edge of its bin, ms). */
function quantileOf(hs, q) {
  let n = 0;
  for (const h of hs) for (let i = 0; i <= BINS; i++) n += h[i];
  const rank = Math.ceil(q * n);
  let seen = 0;
  const sum = new Float64Array(BINS + 1);
  for (const h of hs) for (let i = 0; i <= BINS; i++) sum[i] += h[i];
  for (let i = 0; i <= BINS; i++) {
    seen += sum[i];
    if (seen >= rank) return (i + 1) * BIN_MS;
  }
  return (BINS + 1) * BIN_MS;
}

/** Deterministic PRNG (mulberry32) for the bootstrap, so a summary is reproducible from its data. */
function prng(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The median of `xs` (the mean of the middle two for an even count). */
function medianOfList(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * The `q` quantile (upper bin edge, ms) of the histograms `hs` pooled, each counted `weights[i]`
 * times (a bootstrap draw), given each one's sample count `ns`: scans up from the lowest bin and
 * stops at the rank, so a p99 of ~30 ms reads ~600 bins, not all of them.
 */
function weightedQuantile(hs, ns, weights, q) {
  let n = 0;
  for (let i = 0; i < hs.length; i++) n += weights[i] * ns[i];
  const rank = Math.ceil(q * n);
  let seen = 0;
  for (let bin = 0; bin <= BINS; bin++) {
    for (let i = 0; i < hs.length; i++) if (weights[i] !== 0) seen += weights[i] * hs[i][bin];
    if (seen >= rank) return (bin + 1) * BIN_MS;
  }
  return (BINS + 1) * BIN_MS;
}

/**
 * Each of `stats` over `rounds` bootstrap draws of `n` reps (reps drawn with replacement; a stat
 * gets each rep's draw count), sorted, from a fixed seed so a summary is reproducible.
 */
function bootstrap(n, rounds, stats) {
  const random = prng(12345);
  const out = stats.map(() => []);
  const w = new Array(n);
  for (let k = 0; k < rounds; k++) {
    w.fill(0);
    for (let j = 0; j < n; j++) w[Math.floor(random() * n)]++;
    stats.forEach((stat, i) => out[i].push(stat(w)));
  }
  for (const xs of out) xs.sort((x, y) => x - y);
  return out;
}

/**
 * `mode` against the `base` mode, both run once per rep. The headline is the ratio of the p99s of
 * all their runs pooled (the issue's measure: the runner's p99 over every run), with its 90 %
 * interval by a paired bootstrap over reps (reps drawn with replacement, each drawn rep bringing
 * both its runs, so a rep disturbed by other work on the machine moves both sides). Also: the
 * per-rep ratios of each run's p99, and the ratio of the median per-second p99 (a typical burst).
 */
function compare(results, mode, base, reps, rounds = 2000) {
  const of = (m) => reps.map((rep) => results.find((r) => r.rep === rep && r.mode === m));
  const a = of(mode);
  const b = of(base);
  const count = (r) => r.hist.reduce((x, y) => x + y, 0);
  const ah = a.map((r) => r.hist);
  const bh = b.map((r) => r.hist);
  const an = a.map(count);
  const bn = b.map(count);
  const ones = reps.map(() => 1);
  const ratio = weightedQuantile(ah, an, ones, 0.99) / weightedQuantile(bh, bn, ones, 0.99);
  const seconds = (runs, weights) => medianOfList(runs.flatMap((r, i) => Array(weights[i]).fill(r.bursts ?? []).flat()));
  const perSecond = seconds(a, ones) / seconds(b, ones);
  const [boot, bootSecond] = bootstrap(reps.length, rounds, [
    (w) => weightedQuantile(ah, an, w, 0.99) / weightedQuantile(bh, bn, w, 0.99),
    (w) => seconds(a, w) / seconds(b, w),
  ]);
  const perRep = reps.map((_, i) => a[i].p99 / b[i].p99);
  const at = (xs, q) => xs[Math.min(rounds - 1, Math.max(0, Math.ceil(rounds * q) - 1))];
  return {
    ratio, low: at(boot, 0.05), high: at(boot, 0.95), perRep,
    second: { ratio: perSecond, low: at(bootSecond, 0.05), high: at(bootSecond, 0.95) },
  };
}

/** The control mode: a second `off` run in every rep, compared with `off` like any sink mode. */
const CONTROL = 'off~ctl';

async function parent() {
  const opts = args();
  if (opts.summarize !== '') {
    // A saved run's table and summary again (after a change to the summary), with no measuring.
    const saved = JSON.parse(readFileSync(opts.summarize, 'utf8'));
    for (const r of saved.results) {
      r.hist = histogramFromPairs(r.hist);
      if (r.histOn !== undefined) {
        r.histOn = histogramFromPairs(r.histOn);
        r.histOff = histogramFromPairs(r.histOff);
      }
    }
    return (saved.opts.paired ? summarizePaired : summarize)(saved.results, { ...saved.opts, summarize: opts.summarize }, saved.meta);
  }
  const db = await throwawayDatabase(opts.url, 'xcore_bench_runlog');
  const dbUrl = new URL(db.url);
  const results = [];
  const started = Date.now();
  const loadBefore = loadavg()[0];
  // --paired 1: every process runs the sink on in every other burst (ab) or never (abctl, its control).
  const modes = opts.paired !== 0 ? ['ab', 'abctl'] : opts.modes.split(',');
  if (opts.paired === 0 && !modes.includes('off')) throw new Error('--modes must include off (the base every ratio is taken against)');
  if (opts.paired === 0 && opts.control !== 0 && !modes.includes(CONTROL)) modes.splice(modes.indexOf('off') + 1, 0, CONTROL);
  try {
    for (let rep = 0; rep < opts.reps; rep++) {
      // Interleaved (one run of each mode per rep, ABAB...), in an order rotated from rep to rep
      // and reversed every other round of rotations: no mode always runs first, or right after the
      // same other mode, so drift on a shared machine hits every mode alike.
      const rotated = modes.map((_, i) => modes[(i + rep) % modes.length]);
      const order = Math.floor(rep / modes.length) % 2 === 1 ? rotated.reverse() : rotated;
      for (const mode of order) {
        process.stderr.write(`rep ${rep + 1}/${opts.reps}: sink ${mode} ...\n`);
        // Paired runs: which parity of bursts has the sink on alternates from rep to rep.
        const r = await runChild(mode, { ...opts, dbUrl: dbUrl.toString(), schema: schemaOf(rep + 1, mode), onParity: rep % 2 });
        r.hist = histogramOf(r.sorted);
        delete r.sorted;
        if (r.sortedOn !== undefined) {
          r.histOn = histogramOf(r.sortedOn);
          r.histOff = histogramOf(r.sortedOff);
          delete r.sortedOn;
          delete r.sortedOff;
        }
        results.push({ rep: rep + 1, ...r });
      }
    }
    const rows = await new pg.Client({ connectionString: dbUrl.toString() });
    await rows.connect();
    for (const r of results.filter((x) => kindOf(x.mode) !== 'off' && x.mode !== 'abctl')) {
      r.rows = Number((await rows.query(`SELECT count(*) AS n FROM ${schemaOf(r.rep, r.mode)}.run_log`)).rows[0].n);
    }
    await rows.end();
  } finally {
    await db.drop();
  }
  let sha = '?';
  try { sha = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim(); } catch { /* not a checkout */ }
  const meta = {
    at: new Date().toISOString(), sha, cpu: `${cpus()[0]?.model ?? '?'} × ${cpus().length}`, memGiB: Math.round(totalmem() / 2 ** 30), node: process.version,
    postgres: await serverVersion(opts.url), seconds: Math.round((Date.now() - started) / 1000), loadBefore, loadAfter: loadavg()[0], modes,
  };
  if (opts.save !== '') {
    writeFileSync(opts.save, JSON.stringify({ opts, meta, results: results.map((r) => ({ ...r, hist: pairsOfHistogram(r.hist), ...(r.histOn === undefined ? {} : { histOn: pairsOfHistogram(r.histOn), histOff: pairsOfHistogram(r.histOff) }) })) }));
  }
  (opts.paired !== 0 ? summarizePaired : summarize)(results, opts, meta);
}

/** A histogram as [bin, count] pairs of its non-empty bins (what --save writes). */
function pairsOfHistogram(h) {
  const out = [];
  for (let i = 0; i <= BINS; i++) if (h[i] !== 0) out.push([i, h[i]]);
  return out;
}

function histogramFromPairs(pairs) {
  const h = new Uint32Array(BINS + 1);
  for (const [i, n] of pairs) h[i] = n;
  return h;
}

/** Prints the table and the summary of a run's results. */
function summarize(results, opts, meta) {
  const { modes, sha } = meta;
  const reps = [...new Set(results.map((r) => r.rep))];
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const medianOf = (mode, key) => {
    const xs = results.filter((r) => r.mode === mode && r[key] !== null && r[key] !== undefined).map((r) => r[key]);
    return xs.length === 0 ? undefined : median(xs);
  };
  const pooled = (mode, q) => quantileOf(results.filter((r) => r.mode === mode).map((r) => r.hist), q);
  const control = modes.includes(CONTROL) ? compare(results, CONTROL, 'off', reps) : undefined;
  // The control tells whether this run can resolve 10 % at all: off against off should be 1.00
  // with an interval inside 0.90-1.10; wider, and a mode's interval is mostly the machine's noise.
  // "met" needs both: the mode's whole interval at or below 1.10, and a control whose own interval
  // lies inside 0.90-1.10 (a run that cannot tell off from off within 10 % cannot show the sink
  // within 10 % either). No control (--control 0) is never enough for "met".
  const resolves = (ctl) => ctl !== undefined && ctl.low >= 0.9 && ctl.high <= 1.1;
  const verdict = (c, ctl) => c.low > 1.1 ? 'NOT met ✗'
    : c.high <= 1.1 && resolves(ctl) ? 'met ✓'
    : `undecided: ${c.high > 1.1 ? 'the interval straddles 1.10' : 'the interval is at or below 1.10'}${resolves(ctl) ? '' : ctl === undefined ? ', but there is no control run to say this run can resolve 10 %' : `, but the control's (${fmt(ctl.low, 2)}-${fmt(ctl.high, 2)}) is wider than 0.90-1.10: this run cannot resolve 10 %`}`;
  const measure = (c, ctl, isControl) => `**${fmt(c.ratio, 3)}× off** (90 % interval ${fmt(c.low, 2)}-${fmt(c.high, 2)})${isControl ? '' : `: ${verdict(c, ctl)}`}`;
  const cost = (m) => opts.runner !== 'scheduler' ? '' :
    `; per run: main thread ${fmt(medianOf(m, 'mainUsPerRun'), 2)} µs${m === 'off' ? '' : ` (+${fmt(medianOf(m, 'mainUsPerRun') - medianOf('off', 'mainUsPerRun'), 2)})`}, ` +
    `writer thread ${fmt(medianOf(m, 'writerUsPerRun'), 2)} µs, whole process ${fmt(medianOf(m, 'processUsPerRun'), 2)} µs, PostgreSQL ${fmt(medianOf(m, 'pgUsPerRun'), 2)} µs; ` +
    `GC ${fmt(medianOf(m, 'gcMsPerS'), 1)} ms/s (${fmt(medianOf(m, 'gcMajor'), 0)} major), event loop busy ${fmt(medianOf(m, 'loopBusyPct'), 1)} %, waiting for a CPU ${fmt(medianOf(m, 'mainWaitMsPerS'), 1)} ms/s`;
  const lines = [
    `${meta.at.slice(0, 16).replace('T', ' ')} UTC, ${meta.cpu}, ${meta.memGiB} GiB, Node ${meta.node}, PostgreSQL ${meta.postgres} on the same machine, xcore at ${sha}.`,
    `${opts.rate.toLocaleString('en')} ${opts.runner === 'scheduler' ? 'runs' : 'records'}/s for ${opts.seconds} s after ${opts.warmup} s warm-up, batchSize ${opts.batch}, flushMs ${opts.flush}; 1 % failed runs with a stack, the rest with a small result; ${opts.reps} reps of one run per mode (${modes.join(', ')}), interleaved in rotating order, fresh process each at nice ${[...new Set(results.map((r) => r.priority))].join('/')}; whole run ${meta.seconds} s; 1-minute load average ${fmt(meta.loadBefore, 1)} at the start, ${fmt(meta.loadAfter, 1)} at the end (other work on the machine).`,
    '',
    ...(opts.runner === 'scheduler'
      ? [
        `Runner: a real Scheduler (memory store) running ${opts.rate.toLocaleString('en')} jobs every 1 s; lateness = when each handler started (performance.now() calibrated to Date.now()) - its scheduledAt; a 1 ms timer in the same process beside it.`,
        '',
        '| rep | sink | runs/s | run lateness p50 ms | p90 ms | p99 ms | p99 of one second ms: median (range) | max ms | 1 ms timer p99 ms | main thread µs/run | writer thread µs/run | process µs/run | PostgreSQL µs/run | GC ms/s | loop busy % | main waiting for a CPU ms/s | stored rows | dropped | flush at end ms |',
        '|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
        ...results.map((r) => `| ${r.rep} | ${r.mode} | ${Math.round(r.windowRate).toLocaleString('en')} | ${fmt(r.p50, 2)} | ${fmt(r.p90, 2)} | ${fmt(r.p99, 2)} | ${r.bursts.length === 0 ? '–' : `${fmt(medianOfList(r.bursts), 1)} (${fmt(Math.min(...r.bursts), 1)}-${fmt(Math.max(...r.bursts), 1)})`} | ${fmt(r.max, 1)} | ${fmt(r.tickP99, 2)} | ${fmt(r.mainUsPerRun, 2)} | ${fmt(r.writerUsPerRun, 2)} | ${fmt(r.processUsPerRun, 2)} | ${fmt(r.pgUsPerRun, 2)} | ${fmt(r.gcMsPerS, 1)} | ${fmt(r.loopBusyPct, 0)} | ${fmt(r.mainWaitMsPerS, 1)} | ${r.rows?.toLocaleString('en') ?? '–'} | ${r.stats?.dropped ?? '–'} | ${fmt(r.flushMs, 0)} |`),
      ]
      : [
        '| rep | sink | records/s | lateness p50 ms | p90 ms | p99 ms | max ms | ticks > 1 ms late | process CPU % | PostgreSQL CPU % | stored rows | dropped | failed batches | flush at end ms |',
        '|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
        ...results.map((r) => `| ${r.rep} | ${r.mode} | ${Math.round(r.windowRate).toLocaleString('en')} | ${fmt(r.p50, 3)} | ${fmt(r.p90, 3)} | ${fmt(r.p99, 3)} | ${fmt(r.max, 1)} | ${r.late} of ${r.samples.toLocaleString('en')} | ${fmt(r.cpuPct, 0)} | ${fmt(r.pgCpuPct, 0)} | ${r.rows?.toLocaleString('en') ?? '–'} | ${r.stats?.dropped ?? '–'} | ${r.stats?.failedBatches ?? '–'} | ${fmt(r.flushMs, 0)} |`),
      ]),
    '',
    `p99 ratios to off, each with a 90 % interval from a paired bootstrap over the ${reps.length} reps (a rep drawn brings its run of every mode), against the target ≤ 1.10×: ` +
      `**pooled**, the p99 of all of a mode's runs (${reps.length} × ${opts.seconds} s; the issue's measure, set by the few slowest seconds: a second disturbed by other work on the machine, in any mode, moves it); ` +
      `**a typical second**, the median over all of a mode's seconds of each second's p99 (one burst of ${opts.rate.toLocaleString('en')} runs; a disturbed second moves it little). ` +
      `The control (${CONTROL}: off again, in every rep) is this run's noise: its ratios should be 1.00, and a mode whose interval overlaps the control's is not told apart from off. Also: each run's p99 as a ratio to off's in the same rep (median, range).`,
    '',
    `- **off**: pooled p99 ${fmt(pooled('off', 0.99), 2)} ms (p50 ${fmt(pooled('off', 0.5), 2)} ms, p99.9 ${fmt(pooled('off', 0.999), 2)} ms), a typical second's p99 ${fmt(medianOfList(results.filter((r) => r.mode === 'off').flatMap((r) => r.bursts ?? [])), 2)} ms${cost('off')}.`,
    ...modes.filter((m) => m !== 'off').map((m) => {
      const c = compare(results, m, 'off', reps);
      const sorted = [...c.perRep].sort((x, y) => x - y);
      const isControl = m === CONTROL;
      return `- **${isControl ? `${CONTROL} (control)` : m}**: pooled p99 ${measure(c, control, isControl)}; a typical second's p99 ${measure(c.second, control?.second, isControl)}` +
        `; per rep median ${fmt(medianOfList(c.perRep), 2)}, range ${fmt(sorted[0], 2)}-${fmt(sorted[sorted.length - 1], 2)}; ` +
        `pooled p99 ${fmt(pooled(m, 0.99), 2)} ms (p50 ${fmt(pooled(m, 0.5), 2)} ms, p99.9 ${fmt(pooled(m, 0.999), 2)} ms), a typical second's p99 ${fmt(medianOfList(results.filter((r) => r.mode === m).flatMap((r) => r.bursts ?? [])), 2)} ms${cost(m)}.`;
    }),
  ];
  console.log(lines.join('\n'));
}

/**
 * The summary of a paired run (--paired 1): per process, the sink-on bursts against the sink-off
 * bursts of the same process. Ratios (on / off) of the p99 of all on-burst runs pooled against all
 * off-burst runs, and of a typical burst's p99 (the median of the bursts' p99s), each with a 90 %
 * interval from a bootstrap over the processes (a process drawn brings both its halves). abctl, the
 * same processes with the sink never written, is the control: its ratios are the noise between
 * the two halves of a process; "met" needs ab's interval at or below 1.10 and abctl's inside
 * 0.90-1.10. Also per half: each burst's main-thread CPU and its wait for a CPU from its first
 * run's start to its last's (medians), which is where a burst's drain time goes.
 */
function summarizePaired(results, opts, meta) {
  const reps = [...new Set(results.map((r) => r.rep))];
  const count = (h) => h.reduce((x, y) => x + y, 0);
  const halves = (r) => {
    const on = [];
    const off = [];
    r.burstKeys.forEach((key, i) => ((key & 1) === r.onParity ? on : off).push(i));
    return { on, off };
  };
  const burstStat = (runs, side, pick) => medianOfList(runs.flatMap((r) => halves(r)[side].map((i) => pick(r, i)).filter((v) => v !== null && v !== undefined)));
  const p99Of = (r, i) => r.bursts[i];
  const cpuOf = (r, i) => r.burstCosts[i]?.[1];
  const waitOf = (r, i) => r.burstCosts[i]?.[2];
  const drainOf = (r, i) => r.burstCosts[i]?.[0];
  const pairCompare = (mode, rounds = 2000) => {
    const runs = reps.map((rep) => results.find((r) => r.rep === rep && r.mode === mode));
    const on = runs.map((r) => r.histOn);
    const off = runs.map((r) => r.histOff);
    const onN = on.map(count);
    const offN = off.map(count);
    const pooled = (w) => weightedQuantile(on, onN, w, 0.99) / weightedQuantile(off, offN, w, 0.99);
    const typical = (w) => {
      const drawn = runs.flatMap((r, i) => Array(w[i]).fill(r));
      return burstStat(drawn, 'on', p99Of) / burstStat(drawn, 'off', p99Of);
    };
    const ones = runs.map(() => 1);
    const [bootP, bootT] = bootstrap(runs.length, rounds, [pooled, typical]);
    const at = (xs, q) => xs[Math.min(rounds - 1, Math.max(0, Math.ceil(rounds * q) - 1))];
    return {
      runs,
      pooled: { ratio: pooled(ones), low: at(bootP, 0.05), high: at(bootP, 0.95) },
      typical: { ratio: typical(ones), low: at(bootT, 0.05), high: at(bootT, 0.95) },
    };
  };
  const ab = pairCompare('ab');
  const ctl = pairCompare('abctl');
  const resolves = (c) => c.low >= 0.9 && c.high <= 1.1;
  const verdict = (c, control) => c.low > 1.1 ? 'NOT met ✗'
    : c.high <= 1.1 && resolves(control) ? 'met ✓'
    : `undecided: ${c.high > 1.1 ? 'the interval straddles 1.10' : 'the interval is at or below 1.10'}${resolves(control) ? '' : `, but the control's (${fmt(control.low, 2)}-${fmt(control.high, 2)}) is wider than 0.90-1.10: this run cannot resolve 10 %`}`;
  const line = (c, control) => `**${fmt(c.ratio, 3)}×** (90 % interval ${fmt(c.low, 2)}-${fmt(c.high, 2)})${control === undefined ? '' : `: ${verdict(c, control)}`}`;
  const halfCost = (runs, side) => `a typical burst's p99 ${fmt(burstStat(runs, side, p99Of), 2)} ms, drain ${fmt(burstStat(runs, side, drainOf), 2)} ms, main thread CPU ${fmt(burstStat(runs, side, cpuOf), 2)} ms, waiting for a CPU ${fmt(burstStat(runs, side, waitOf), 2)} ms`;
  const lines = [
    `${meta.at.slice(0, 16).replace('T', ' ')} UTC, ${meta.cpu}, ${meta.memGiB} GiB, Node ${meta.node}, PostgreSQL ${meta.postgres} on the same machine, xcore at ${meta.sha}.`,
    `Paired: ${opts.reps} processes per mode (ab: the sink on in every other burst; abctl: never), ${opts.rate.toLocaleString('en')} runs/s for ${opts.seconds} s after ${opts.warmup} s warm-up, batchSize ${opts.batch}, flushMs ${opts.flush}; which parity is on alternates by rep; whole run ${meta.seconds} s; 1-minute load average ${fmt(meta.loadBefore, 1)} at the start, ${fmt(meta.loadAfter, 1)} at the end.`,
    '',
    '| rep | mode | on parity | on bursts p99 ms | off bursts p99 ms | on: main CPU / wait ms a burst (median) | off: main CPU / wait ms a burst (median) | stored rows | dropped |',
    '|---:|---|---:|---|---|---|---|---:|---:|',
    ...results.map((r) => {
      const { on, off } = halves(r);
      const list = (ix) => ix.map((i) => fmt(r.bursts[i], 1)).join(' ');
      const cost = (side) => `${fmt(burstStat([r], side, cpuOf), 1)} / ${fmt(burstStat([r], side, waitOf), 1)}`;
      return `| ${r.rep} | ${r.mode} | ${r.onParity} | ${list(on)} | ${list(off)} | ${cost('on')} | ${cost('off')} | ${r.rows?.toLocaleString('en') ?? '–'} | ${r.stats?.dropped ?? '–'} |`;
    }),
    '',
    `- **ab** (sink on against off, same processes): pooled p99 ${line(ab.pooled, ctl.pooled)}; a typical burst's p99 ${line(ab.typical, ctl.typical)}. On: ${halfCost(ab.runs, 'on')}; off: ${halfCost(ab.runs, 'off')}.`,
    `- **abctl** (control, sink never written): pooled p99 ${line(ctl.pooled)}; a typical burst's p99 ${line(ctl.typical)}. "On": ${halfCost(ctl.runs, 'on')}; off: ${halfCost(ctl.runs, 'off')}.`,
  ];
  console.log(lines.join('\n'));
}

async function serverVersion(url) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const v = (await c.query('SHOW server_version')).rows[0].server_version;
  await c.end();
  return v.split(' ')[0];
}

if (process.argv[2] === '--child') {
  // Every thread at the main thread's nice (the parent reniced the process as it started, maybe
  // after Node made some threads): later, the only threads at a higher nice are the writer's.
  try {
    for (const tid of readdirSync('/proc/self/task')) if (niceOf(tid) !== niceOf(process.pid)) setPriority(Number(tid), niceOf(process.pid));
  } catch {
    // not Linux, or not allowed
  }
  child(process.argv[3], JSON.parse(process.argv[4])).then(
    (result) => process.send(result, () => process.exit(0)),
    (error) => { process.stderr.write(`${error.stack}\n`); process.exit(1); },
  );
} else {
  await parent();
}
