#!/usr/bin/env node
// The run log's cost to the runner, sink on (PostgresRunLog) against off, 10k runs a second.
//
// --modes off,on (default; also `eager`: the sink without writeRun, records built on the run path).
//   A mode may name a checkout to take xcore from (built): `on@/tmp/xcore-base` runs the sink (and
//   the scheduler) of that checkout, to compare two versions in one interleaved run. `~pgN` and
//   `~wN` after the kind set --pg-nice and --writer-nice for that mode alone (`on~pg19~w19`).
// --pg-nice N: renice the sink's PostgreSQL backends to N at the window's start (root only), to see
//   how much of the sink's cost to the runner is PostgreSQL competing for the same cores.
// --writer-nice N: renice the sink's writer thread to N at the window's start (Linux; found as the
//   child's threads whose nice is the writer's own offset from the process's, see insert-worker.mjs).
// --runner scheduler (default): a real Scheduler on the memory store runs `rate` jobs of period
//   1 s (10k runs/s; 1 % throw, the rest return a small object), with the sink as its `runLog`
//   (on) or none (off). Measured: each run's start lateness (startedAt - scheduledAt, from the
//   run path's own record) and the lateness of a 1 ms timer in the same process.
// --runner loop: a 1 ms timer that builds 10 records per ms with toRunLogRecord and writes them
//   (the sink alone, without the scheduler).
//
// Each run is a fresh child process; the modes alternate, in an order rotated from rep to rep (no
// mode always runs first or after the same one), so drift on a shared machine hits all of them.
// Prints a Markdown table and, per mode, the p99 ratio to off (target: at most 1.10) with its
// spread over the reps.
//
//   pnpm build && node bench/runlog.mjs [--runner scheduler|loop] [--seconds 10] [--warmup 2] [--rate 10000] [--reps 3] [--modes off,on]
//     [--batch 500] [--flush 200] [--pg-nice 0] [--writer-nice 0] [--url postgres://postgres@127.0.0.1:5432/postgres]
//
// The admin URL must be able to CREATE DATABASE; the bench works in a throwaway database it drops.
import { fork } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { cpus, loadavg, setPriority, totalmem } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { execFileSync } from 'node:child_process';
import pg from 'pg';
import { throwawayDatabase } from './lib/throwaway-database.mjs';

const SELF = fileURLToPath(import.meta.url);

function args() {
  const out = { runner: 'scheduler', modes: 'off,on', seconds: 10, warmup: 2, rate: 10_000, reps: 3, batch: 500, flush: 200, priority: -10, 'pg-nice': 0, 'writer-nice': 0, url: process.env.XCORE_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres' };
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
  mode = mode.replace(/~[a-z]+-?\d+/g, '');
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

/** `opts` with the nice values a mode names (`on~pg19~w19`). */
function withModeNice(mode, opts) {
  const pg = /~pg(-?\d+)/.exec(mode.split('@')[0]);
  const w = /~w(-?\d+)/.exec(mode.split('@')[0]);
  return { ...opts, ...(pg ? { 'pg-nice': Number(pg[1]) } : {}), ...(w ? { 'writer-nice': Number(w[1]) } : {}) };
}

async function childScheduler(mode, opts) {
  opts = withModeNice(mode, opts);
  const x = await xcore(mode);
  const { Scheduler, MemoryStore } = x.scheduler;
  const { PostgresRunLog } = x.runlog;
  const { createLogger } = x.core;
  mode = kindOf(mode);
  const { performance } = await import('node:perf_hooks');
  const logger = createLogger({ level: 'silent', pretty: false });
  const sink = mode !== 'off'
    ? await PostgresRunLog.open({ url: opts.dbUrl, schema: opts.schema, batchSize: opts.batch, flushMs: opts.flush, retention: null, logger: { warn: (o, m) => process.stderr.write(`${m}\n`), error: (o, m) => process.stderr.write(`${m}\n`) } })
    : undefined;
  // eager: the same sink seen without writeRun, so the record is built (and validated) on the run
  // path and encoded on the loop, as any sink without writeRun gets it (and as every run did before).
  const runLog = mode === 'eager'
    ? { write: (r) => sink.write(r), query: (f) => sink.query(f), flush: (o) => sink.flush(o), close: (o) => sink.close(o), stats: () => sink.stats() }
    : sink;
  const scheduler = new Scheduler({ store: new MemoryStore(), logger, owner: 'bench-1', ...(runLog === undefined ? {} : { runLog }) });
  const failure = new Error('upstream answered 503');
  for (let i = 0; i < opts.rate; i++) {
    const fn = i % 100 === 0 ? () => { throw failure; } : (ctx) => ({ processed: ctx.attempt });
    await scheduler.addJob(fn, { id: `job-${i}`, every: '1s' });
  }
  const runLate = new Float64Array(Math.ceil(opts.seconds * opts.rate * 1.5) + 1000);
  let runs = 0;
  let measuring = false;
  let windowRuns = 0;
  scheduler.observeRuns({
    ended: ({ record }) => {
      if (!measuring) return;
      windowRuns++;
      if (record.startedAt !== null && runs < runLate.length) runLate[runs++] = record.startedAt - record.scheduledAt;
    },
  });
  scheduler.startFiring();
  const tickLate = new Float64Array(Math.ceil(opts.seconds * 1000 * 1.2) + 1000);
  let ticks = 0;
  let cpuAtWindow;
  let threadAtWindow;
  let eluAtWindow;
  let backendAtWindow;
  let schedAtWindow;
  const start = performance.now();
  const warmEnd = start + opts.warmup * 1000;
  const end = warmEnd + opts.seconds * 1000;
  await new Promise((resolve) => {
    let expected = start + 1;
    const tick = () => {
      const now = performance.now();
      if (measuring && ticks < tickLate.length) tickLate[ticks++] = now - expected;
      if (!measuring && now >= warmEnd) {
        measuring = true;
        cpuAtWindow = process.cpuUsage();
        threadAtWindow = process.threadCpuUsage?.();
        eluAtWindow = performance.eventLoopUtilization();
        // Asked in every mode (the same query's cost on the loop); with no sink there are no backends.
        void backendCpu(opts.dbUrl, opts['pg-nice']).then((b) => { backendAtWindow = b; });
        if (opts['writer-nice'] !== 0) reniceWriter(opts['writer-nice']);
        schedAtWindow = schedstat();
      }
      if (now >= end) return resolve();
      expected = performance.now() + 1;
      setTimeout(tick, 1);
    };
    setTimeout(tick, 1);
  });
  measuring = false;
  const cpu = process.cpuUsage(cpuAtWindow);
  const thread = threadAtWindow === undefined ? undefined : process.threadCpuUsage(threadAtWindow);
  const elu = performance.eventLoopUtilization(eluAtWindow);
  const schedAtEnd = schedstat();
  const backendAtEnd = await backendCpu(opts.dbUrl);
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
  const r = q(runLate, runs);
  const t = q(tickLate, ticks);
  let late = 0;
  for (let k = 0; k < ticks; k++) if (t.s[k] > 1) late++;
  return {
    mode, samples: ticks, produced: windowRuns, windowRate: windowRuns / opts.seconds, late, sorted: Array.from(r.s),
    p50: r.at(0.5), p90: r.at(0.9), p99: r.at(0.99), max: r.s[runs - 1],
    tickP50: t.at(0.5), tickP99: t.at(0.99), tickMax: t.s[ticks - 1],
    cpuPct: ((cpu.user + cpu.system) / 1000 / (opts.seconds * 1000)) * 100,
    // The event loop's own thread: CPU per run (Node >= 23.9 has process.threadCpuUsage) and busy share.
    mainUsPerRun: thread === undefined ? null : (thread.user + thread.system) / windowRuns,
    loopBusyPct: elu.utilization * 100,
    // Linux: how long the event loop's thread was ready to run but waited for a CPU (ms per s).
    mainWaitMsPerS: schedAtWindow === undefined || schedAtEnd === undefined ? null : (schedAtEnd.waitNs - schedAtWindow.waitNs) / 1e6 / opts.seconds,
    // The sink's PostgreSQL backends on this machine: the CPU the run log costs beyond this process.
    pgCpuPct: backendAtWindow !== undefined && backendAtEnd !== undefined ? ((backendAtEnd - backendAtWindow) / (opts.seconds * 1000)) * 100 : null,
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
        if (sink !== undefined) void backendCpu(opts.dbUrl, opts['pg-nice']).then((b) => { backendAtWindow = b; });
      }
      if (now >= end) return resolve();
      expected = performance.now() + 1;
      setTimeout(tick, 1);
    };
    setTimeout(tick, 1);
  });
  const cpu = process.cpuUsage(cpuAtWindow);
  const backendAtEnd = sink === undefined ? undefined : await backendCpu(opts.dbUrl);
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

/** The event loop thread's scheduler counters (Linux /proc schedstat: ns on a CPU, ns waiting for one), or undefined. */
function schedstat() {
  try {
    const [runNs, waitNs] = readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ').map(Number);
    return { runNs, waitNs };
  } catch {
    return undefined;
  }
}

/**
 * Renices this process's writer thread (the sink's, `worker/insert-worker.mjs`) to `nice`: the
 * threads whose nice is higher than the main thread's (the writer lowers its own; Node's other
 * threads keep the process's). Linux only; a no-op elsewhere.
 */
function reniceWriter(nice) {
  try {
    const niceOf = (tid) => Number(readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').split(') ')[1].split(' ')[16]);
    const main = niceOf(process.pid);
    for (const tid of readdirSync('/proc/self/task')) if (niceOf(tid) > main) setPriority(Number(tid), nice);
  } catch {
    // not Linux, or not allowed
  }
}

/**
 * CPU ms used so far by the PostgreSQL backends of the sink's connections (Linux, server on this
 * machine: /proc/<pid>/stat), or undefined where that cannot be read. With `nice` (not 0), renices
 * them to it first (needs the right to).
 */
async function backendCpu(dbUrl, nice = 0) {
  const c = new pg.Client({ connectionString: dbUrl });
  try {
    await c.connect();
    const { rows } = await c.query("SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'xcore-runlog'");
    let ticks = 0;
    for (const { pid } of rows) {
      if (nice !== 0) setPriority(pid, nice);
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      ticks += Number(fields[11]) + Number(fields[12]); // utime + stime, after the command name
    }
    return ticks * 10; // USER_HZ = 100 on Linux
  } catch {
    return undefined;
  } finally {
    await c.end().catch(() => undefined);
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

async function parent() {
  const opts = args();
  const db = await throwawayDatabase(opts.url, 'xcore_bench_runlog');
  const dbUrl = new URL(db.url);
  const results = [];
  const started = Date.now();
  const loadBefore = loadavg()[0];
  try {
    const modes = opts.modes.split(',');
    for (let rep = 0; rep < opts.reps; rep++) {
      // Rotated from rep to rep: no mode always runs first, or right after the same other mode.
      for (const mode of modes.map((_, i) => modes[(i + rep) % modes.length])) {
        process.stderr.write(`rep ${rep + 1}/${opts.reps}: sink ${mode} ...\n`);
        results.push({ rep: rep + 1, ...(await runChild(mode, { ...opts, dbUrl: dbUrl.toString(), schema: schemaOf(rep + 1, mode) })) });
      }
    }
    const rows = await new pg.Client({ connectionString: dbUrl.toString() });
    await rows.connect();
    for (const r of results.filter((x) => kindOf(x.mode) !== 'off')) {
      r.rows = Number((await rows.query(`SELECT count(*) AS n FROM ${schemaOf(r.rep, r.mode)}.run_log`)).rows[0].n);
    }
    await rows.end();
  } finally {
    await db.drop();
  }

  const modes = opts.modes.split(',');
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const p99 = (mode) => median(results.filter((r) => r.mode === mode).map((r) => r.p99));
  const p50 = (mode) => median(results.filter((r) => r.mode === mode).map((r) => r.p50));
  const range = (mode) => { const xs = results.filter((r) => r.mode === mode).map((r) => r.p99); return [Math.min(...xs), Math.max(...xs)]; };
  const medianOf = (mode, key) => {
    const xs = results.filter((r) => r.mode === mode && r[key] !== null && r[key] !== undefined).map((r) => r[key]);
    return xs.length === 0 ? undefined : median(xs);
  };
  const pooled = (mode, q) => {
    const all = results.filter((r) => r.mode === mode).flatMap((r) => r.sorted).sort((a, b) => a - b);
    return all[Math.min(all.length - 1, Math.ceil(q * all.length) - 1)];
  };
  let sha = '?';
  try { sha = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim(); } catch { /* not a checkout */ }
  const lines = [
    `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, ${cpus()[0]?.model ?? '?'} × ${cpus().length}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, PostgreSQL ${await serverVersion(opts.url)} on the same machine, xcore at ${sha}.`,
    `${opts.rate.toLocaleString('en')} ${opts.runner === 'scheduler' ? 'runs' : 'records'}/s for ${opts.seconds} s after ${opts.warmup} s warm-up, batchSize ${opts.batch}, flushMs ${opts.flush}; 1 % failed runs with a stack, the rest with a small result; ${opts.reps} alternating runs per mode, fresh process each at nice ${[...new Set(results.map((r) => r.priority))].join('/')}; whole run ${Math.round((Date.now() - started) / 1000)} s; 1-minute load average ${fmt(loadBefore, 1)} at the start, ${fmt(loadavg()[0], 1)} at the end (other work on the machine).`,
    '',
    ...(opts.runner === 'scheduler'
      ? [
        `Runner: a real Scheduler (memory store) running ${opts.rate.toLocaleString('en')} jobs every 1 s; lateness = each run's startedAt - scheduledAt (whole ms, from its record); a 1 ms timer in the same process beside it.`,
        '',
        '| run | sink | runs/s | run lateness p50 ms | p90 ms | p99 ms | max ms | 1 ms timer p50 ms | p99 ms | max ms | process CPU % | main thread CPU µs/run | loop busy % | main thread waiting for a CPU ms/s | PostgreSQL CPU % | stored rows | dropped | failed batches | flush at end ms |',
        '|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
        ...results.map((r) => `| ${r.rep} | ${r.mode} | ${Math.round(r.windowRate).toLocaleString('en')} | ${fmt(r.p50, 0)} | ${fmt(r.p90, 0)} | ${fmt(r.p99, 0)} | ${fmt(r.max, 0)} | ${fmt(r.tickP50, 3)} | ${fmt(r.tickP99, 3)} | ${fmt(r.tickMax, 1)} | ${fmt(r.cpuPct, 0)} | ${fmt(r.mainUsPerRun, 1)} | ${fmt(r.loopBusyPct, 0)} | ${fmt(r.mainWaitMsPerS, 1)} | ${fmt(r.pgCpuPct, 0)} | ${r.rows?.toLocaleString('en') ?? '–'} | ${r.stats?.dropped ?? '–'} | ${r.stats?.failedBatches ?? '–'} | ${fmt(r.flushMs, 0)} |`),
      ]
      : [
        '| run | sink | records/s | lateness p50 ms | p90 ms | p99 ms | max ms | ticks > 1 ms late | process CPU % | PostgreSQL CPU % | stored rows | dropped | failed batches | flush at end ms |',
        '|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
        ...results.map((r) => `| ${r.rep} | ${r.mode} | ${Math.round(r.windowRate).toLocaleString('en')} | ${fmt(r.p50, 3)} | ${fmt(r.p90, 3)} | ${fmt(r.p99, 3)} | ${fmt(r.max, 1)} | ${r.late} of ${r.samples.toLocaleString('en')} | ${fmt(r.cpuPct, 0)} | ${fmt(r.pgCpuPct, 0)} | ${r.rows?.toLocaleString('en') ?? '–'} | ${r.stats?.dropped ?? '–'} | ${r.stats?.failedBatches ?? '–'} | ${fmt(r.flushMs, 0)} |`),
      ]),
    '',
    `Off (no sink): median p99 ${fmt(p99('off'), 3)} ms, p50 ${fmt(p50('off'), 3)} ms; noise floor: the off runs' p99 ranges ${fmt(range('off')[0], 3)}-${fmt(range('off')[1], 3)} ms (max/min ${fmt(range('off')[1] / range('off')[0], 2)}×: off against off)${medianOf('off', 'mainUsPerRun') === undefined ? '' : `; main thread CPU ${fmt(medianOf('off', 'mainUsPerRun'), 2)} µs/run, event loop busy ${fmt(medianOf('off', 'loopBusyPct'), 1)} %, waiting for a CPU ${fmt(medianOf('off', 'mainWaitMsPerS'), 1)} ms/s`}${opts.runner === 'scheduler' ? `; 1 ms timer p99 ${fmt(medianOf('off', 'tickP99'), 3)} ms` : ''}.`,
    ...modes.filter((m) => m !== 'off').flatMap((m) => {
      const ratio = p99(m) / p99('off');
      const perRep = [...new Set(results.map((r) => r.rep))].map((rep) => fmt(results.find((r) => r.rep === rep && r.mode === m).p99 / results.find((r) => r.rep === rep && r.mode === 'off').p99, 2));
      return [
        `**${m}**: median p99 ${fmt(p99(m), 3)} ms (runs ${fmt(range(m)[0], 3)}-${fmt(range(m)[1], 3)}), **${fmt(ratio, 3)}× off** (target ≤ 1.10×, ${ratio <= 1.1 ? 'met ✓' : 'NOT met ✗'}); per rep ${perRep.join(', ')}; p50 ${fmt(p50(m), 3)} ms; ` +
          `all runs pooled p99 ${fmt(pooled(m, 0.99), 3)} ms (${fmt(pooled(m, 0.99) / pooled('off', 0.99), 3)}× off's ${fmt(pooled('off', 0.99), 3)}), p99.9 ${fmt(pooled(m, 0.999), 3)} ms (off ${fmt(pooled('off', 0.999), 3)})` +
          `${medianOf(m, 'mainUsPerRun') === undefined ? '' : `; main thread CPU ${fmt(medianOf(m, 'mainUsPerRun'), 2)} µs/run (+${fmt(medianOf(m, 'mainUsPerRun') - medianOf('off', 'mainUsPerRun'), 2)}), event loop busy ${fmt(medianOf(m, 'loopBusyPct'), 1)} %, waiting for a CPU ${fmt(medianOf(m, 'mainWaitMsPerS'), 1)} ms/s`}` +
          `; process CPU ${fmt(medianOf(m, 'cpuPct'), 0)} % (off ${fmt(medianOf('off', 'cpuPct'), 0)} %), PostgreSQL CPU ${fmt(medianOf(m, 'pgCpuPct'), 0)} %${opts.runner === 'scheduler' ? `; 1 ms timer p99 ${fmt(medianOf(m, 'tickP99'), 3)} ms` : ''}.`,
      ];
    }),
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
  child(process.argv[3], JSON.parse(process.argv[4])).then(
    (result) => process.send(result, () => process.exit(0)),
    (error) => { process.stderr.write(`${error.stack}\n`); process.exit(1); },
  );
} else {
  await parent();
}
