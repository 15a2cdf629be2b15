#!/usr/bin/env node
/**
 * Benchmark of xcore's memory backend against the schedulers users would pick instead.
 *
 *   node --expose-gc bench/run.mjs [--jobs 1000,10000,100000] [--seconds 10] [--warmup 2]
 *        [--only name,...] [--kinds interval,cron] [--timeout 60] [--phase spread|registration|burst] [--no-write]
 *
 * For each kind, N and library, one fresh child process (child.mjs) registers N jobs firing every
 * second and measures delivered fires, lateness, CPU per fire, heap per job and registration time.
 * Prints one Markdown table per kind, writes the raw results to results/<date>-memory[-<phase>].json
 * and, for a run of every library, the tables to results/latest-memory.md (`--phase spread`) or
 * results/latest-memory-<phase>.md. See README.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { LIBRARIES } from './lib/libraries.mjs';
import { runChild } from './lib/spawn-child.mjs';
import { HEADER, row, ratioTable, fmtN, gitDescribe } from './lib/report.mjs';

const USAGE = 'usage: node --expose-gc bench/run.mjs [--jobs 1000,10000,100000] [--seconds 10] [--warmup 2] [--only name,...] [--kinds interval,cron] [--timeout 60] [--phase spread|registration|burst] [--no-write]';

function parseArgs(argv) {
  const opts = { jobs: [1000, 10000, 100000], seconds: 10, warmup: 2, only: null, kinds: ['interval', 'cron'], timeout: 60, phase: 'spread', write: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value\n${USAGE}`);
      return v;
    };
    if (a === '--jobs') opts.jobs = next().split(',').map(Number);
    else if (a === '--seconds') opts.seconds = Number(next());
    else if (a === '--warmup') opts.warmup = Number(next());
    else if (a === '--only') opts.only = next().split(',');
    else if (a === '--kinds') opts.kinds = next().split(',');
    else if (a === '--timeout') opts.timeout = Number(next());
    else if (a === '--phase') opts.phase = next();
    else if (a === '--no-write') opts.write = false;
    else if (a === '--help' || a === '-h') { console.log(USAGE); process.exit(0); }
    else throw new Error(`unknown argument ${a}\n${USAGE}`);
  }
  if (opts.jobs.some((n) => !Number.isInteger(n) || n <= 0)) throw new Error(`--jobs must be positive integers\n${USAGE}`);
  if (!(opts.seconds > 0) || !(opts.warmup >= 0)) throw new Error(`--seconds must be > 0 and --warmup >= 0\n${USAGE}`);
  const known = LIBRARIES.map((l) => l.name);
  for (const name of opts.only ?? []) if (!known.includes(name)) throw new Error(`unknown library ${name}; known: ${known.join(', ')}`);
  if (!['spread', 'registration', 'burst'].includes(opts.phase)) throw new Error(`--phase is spread, registration or burst\n${USAGE}`);
  for (const k of opts.kinds) if (k !== 'interval' && k !== 'cron') throw new Error(`unknown kind ${k}; known: interval, cron`);
  return opts;
}

function machine() {
  const cpus = os.cpus();
  return {
    cpu: `${cpus[0]?.model ?? 'unknown'} × ${cpus.length}`,
    memGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
  };
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const libs = LIBRARIES.filter((l) => !opts.only || opts.only.includes(l.name));
  const memo = new Map();
  const failedAt = new Map();
  const started = Date.now();
  // Read before the run: the tables describe the code built at this point (`pnpm build`).
  const commit = gitDescribe(execFileSync);

  /** Runs (or reuses) one measurement; after a failure, larger N of the same lib and kind are skipped. */
  async function measure(lib, n, kind) {
    const key = `${lib}|${n}|${kind}`;
    if (memo.has(key)) return memo.get(key);
    const prior = failedAt.get(`${lib}|${kind}`);
    let r;
    if (prior !== undefined && prior < n) {
      r = { lib, n, kind, status: 'skipped', error: `failed at N = ${fmtN(prior)}` };
    } else {
      process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${lib} ${fmtN(n)} ${kind} ... `);
      const timeoutMs = (opts.timeout + opts.warmup + opts.seconds + 2) * 1000;
      r = await runChild({ lib, n, kind, seconds: opts.seconds, warmup: opts.warmup, phase: opts.phase, timeoutMs, maxOldSpaceMb: 4096 });
      process.stderr.write(r.status === 'ok'
        ? `${r.delivered}/${r.expected} p99 ${r.lateness.p99?.toFixed(1)} ms, ${r.cpuUsPerFire?.toFixed(1)} µs/fire (main thread ${r.mainThreadCpuUsPerFire?.toFixed(1) ?? '-'}), ${Math.round(r.heapBytesPerJob)} B/job (${(r.wallMs / 1000).toFixed(0)} s)\n`
        : `${r.status}: ${r.error}\n`);
      if (r.status !== 'ok') failedAt.set(`${lib}|${kind}`, n);
    }
    memo.set(key, r);
    return r;
  }

  const tables = {};
  const results = [];
  for (const kind of opts.kinds) {
    tables[kind] = [];
    for (const n of opts.jobs) {
      for (const lib of libs) {
        let r;
        let label = lib.name;
        if (kind === 'interval') {
          r = await measure(lib.name, n, lib.interval === 'native' ? 'interval' : 'cron');
          if (lib.interval === 'cron') label = `${lib.name} (cron)*`;
        } else {
          if (!lib.cron) continue;
          r = await measure(lib.name, n, 'cron');
        }
        tables[kind].push({ label, r, derived: !lib.told });
        if (!results.includes(r)) results.push(r);
      }
    }
  }

  const info = { date: new Date().toISOString(), commit, machine: machine(), opts, totalSeconds: Math.round((Date.now() - started) / 1000) };
  const out = [];
  out.push(`# xcore memory backend vs peers`, '');
  out.push(`${info.date.slice(0, 16).replace('T', ' ')} UTC, ${info.machine.cpu}, ${info.machine.memGiB} GiB, Node ${info.machine.node}, ${info.machine.platform}, xcore at ${info.commit}.`);
  out.push(`Reproduce: \`pnpm build && node --expose-gc bench/run.mjs${opts.phase === 'spread' ? '' : ` --phase ${opts.phase}`}\` (method: bench/README.md).`);
  out.push(`Each job fires every second; window ${opts.seconds} s after a ${opts.warmup} s warm-up; one fresh process per (library, N, kind); interval phases of bare-loop and xcore: ${{ spread: 'spread evenly over the second', registration: 'registration time (xcore: whole seconds since the epoch)', burst: 'one shared phase, every job due at the same whole second (the burst)' }[opts.phase]}; whole run ${info.totalSeconds} s.`, '');
  for (const kind of opts.kinds) {
    out.push(kind === 'interval' ? '## Interval jobs (every 1 s)' : '## Cron jobs (`* * * * * *`)', '');
    out.push(...HEADER, ...tables[kind].map(({ label, r, derived }) => row(r, label, derived)), '');
    if (kind === 'interval' && tables[kind].some(({ label }) => label.endsWith('*'))) {
      out.push('\\* no interval trigger: the row repeats the library\'s `* * * * * *` cron run.', '');
    }
    if (tables[kind].some(({ derived }) => derived)) {
      out.push('† intended time derived from the phase (the library does not pass it): lateness of a second or more is invisible here and shows as missing fires instead.', '');
    }
    const xcore = tables[kind].filter(({ r }) => r.lib === 'xcore').map(({ r }) => r);
    if (xcore.length) {
      const bareFor = (n) => tables[kind].find(({ r }) => r.lib === 'bare-loop' && r.n === n)?.r;
      out.push(`### xcore vs the bare loop (${kind})`, '', ...ratioTable(xcore, bareFor, kind, opts.phase), '');
    }
  }
  const md = out.join('\n');
  console.log(md);

  if (opts.write) {
    const dir = fileURLToPath(new URL('./results/', import.meta.url));
    mkdirSync(dir, { recursive: true });
    const stamp = info.date.slice(0, 19).replace(/:/g, '-');
    // One latest table per load shape: the spread one (the default) keeps its old name.
    const shape = opts.phase === 'spread' ? '' : `-${opts.phase}`;
    writeFileSync(`${dir}${stamp}-memory${shape}.json`, JSON.stringify({ ...info, results }, null, 2));
    const full = !opts.only;
    const name = `${full ? 'latest' : `${stamp}-partial`}-memory${shape}.md`;
    writeFileSync(`${dir}${name}`, md + '\n');
    process.stderr.write(`wrote results/${stamp}-memory${shape}.json and results/${name}\n`);
  }
}

main().catch((err) => {
  process.stderr.write(`${err.message}\n`);
  process.exit(2);
});
