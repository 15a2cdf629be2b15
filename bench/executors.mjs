#!/usr/bin/env node
// What running a job off the event loop costs per run: the `thread` and `process` executors
// against `inline`, at 10 and 100 runs a second; `process` with its defaults (a fresh child per run,
// one warm spare) and `process reused` (runsPerChild: 1000).
//
// A real Scheduler (memory store) runs `rate` jobs of period 1 s whose export returns at once
// (workers/… and bench/executors-job.mjs). Measured per executor and rate, over `seconds`:
// - start latency: record.startedAt - record.scheduledAt (when the run path handed the run to its
//   executor) plus, for thread/process, the time until the job's code ran (reported by the job),
//   p50 and p99;
// - CPU per run: this process's user+system CPU (process.cpuUsage, which counts worker threads)
//   plus, for process, the children's (/proc/self/stat cutime+cstime), divided by runs.
// Prints a Markdown table and each executor's p50/p99/CPU ratio to inline.
//
//   pnpm build && node bench/executors.mjs [--seconds 5] [--rates 10,100]
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { createLogger } from '@xcore/core';
import { MemoryStore, Scheduler } from '@xcore/scheduler';

const argv = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = argv.indexOf(`--${name}`);
  return i === -1 ? fallback : argv[i + 1];
};
const seconds = Number(opt('seconds', 5));
const rates = String(opt('rates', '10,100')).split(',').map(Number);
const JOB = new URL('./executors-job.mjs', import.meta.url);
const TICKS = 100; // USER_HZ of /proc/self/stat on Linux

function childrenCpuMs() {
  try {
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
    // cutime and cstime are fields 16 and 17 (1-based) of /proc/pid/stat; after "pid (comm) " they are 14 and 15 (1-based).
    return ((Number(fields[13]) + Number(fields[14])) * 1000) / TICKS;
  } catch {
    return 0;
  }
}

function pct(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN;
}

/** The rows: an executor and its settings (`process reused`: `runsPerChild`, children kept between runs). */
const VARIANTS = {
  inline: { executor: 'inline', process: {} },
  thread: { executor: 'thread', process: {} },
  process: { executor: 'process', process: {} },
  'process 8 spares': { executor: 'process', process: { warmSpares: 8 } },
  'process reused': { executor: 'process', process: { runsPerChild: 1000 } },
};

async function measure(name, rate) {
  const { executor, process: processOptions } = VARIANTS[name];
  const scheduler = new Scheduler({ store: new MemoryStore(), logger: createLogger({ level: 'silent', pretty: false }), executors: { thread: { minThreads: 1 }, process: { maxChildren: 8, ...processOptions } } });
  const starts = [];
  let measuring = false;
  let runs = 0;
  scheduler.onRunFinished(({ record, result }) => {
    if (!measuring || record.status !== 'succeeded') return;
    runs += 1;
    const ranAt = typeof result === 'number' ? result : record.startedAt;
    starts.push(ranAt - record.scheduledAt);
  });
  for (let i = 0; i < rate; i++) {
    const options = { id: `j${i}`, every: 1000, historyLimit: 0 };
    if (executor === 'inline') await scheduler.addJob(() => Date.now(), options);
    else await scheduler.addJob({ ...options, executor, module: JOB, export: 'ranAt' });
  }
  scheduler.startFiring();
  await new Promise((r) => setTimeout(r, 2000)); // warm-up: pools and module caches
  const cpu0 = process.cpuUsage();
  const child0 = childrenCpuMs();
  measuring = true;
  await new Promise((r) => setTimeout(r, seconds * 1000));
  measuring = false;
  const cpu = process.cpuUsage(cpu0);
  const childMs = childrenCpuMs() - child0;
  await scheduler.stop({ deadlineMs: 2000 });
  await scheduler.dispose();
  const cpuMs = (cpu.user + cpu.system) / 1000 + childMs;
  return { executor: name, rate, runs, p50: pct(starts, 0.5), p99: pct(starts, 0.99), cpuPerRun: cpuMs / Math.max(1, runs) };
}

const rows = [];
for (const rate of rates) {
  for (const name of Object.keys(VARIANTS)) rows.push(await measure(name, rate));
}
const fmt = (n) => (Number.isFinite(n) ? n.toFixed(n < 10 ? 2 : 1) : '–');
console.log(`executors: ${seconds} s per cell, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, load ${loadavg().map((l) => l.toFixed(1)).join(' ')}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}\n`);
console.log('| executor | runs/s | runs | start p50 ms | start p99 ms | CPU ms/run | p50 / inline | p99 / inline | CPU / inline |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const row of rows) {
  const base = rows.find((r) => r.rate === row.rate && r.executor === 'inline');
  console.log(`| ${row.executor} | ${row.rate} | ${row.runs} | ${fmt(row.p50)} | ${fmt(row.p99)} | ${fmt(row.cpuPerRun)} | ${fmt(row.p50 / Math.max(0.01, base.p50))} | ${fmt(row.p99 / Math.max(0.01, base.p99))} | ${fmt(row.cpuPerRun / base.cpuPerRun)} |`);
}
