#!/usr/bin/env node
/**
 * Redis benchmark: xcore on Redis (1, 2, 3 processes sharing one redis-server) against BullMQ job
 * schedulers (`upsertJobScheduler`, `every: 1000` or `pattern: '* * * * * *'`) with the same number
 * of schedules, worker processes and load shape, in the same run, against a redis-server this
 * script starts on a free port.
 *
 *   node bench/redis.mjs [--jobs 1000,10000] [--procs 1,2,3] [--runs 10000x1,30000x3]
 *        [--kinds interval,cron] [--phase spread,burst] [--seconds 10] [--warmup 3]
 *        [--only xcore,bullmq] [--concurrency 100] [--timeout 120] [--no-write]
 *        [--commandstats] [--cpu-prof DIR]
 *
 * Load shapes (one table each): interval schedules every second with phases spread evenly over
 * the second (`spread`) or all sharing one phase, every schedule due at the same whole second
 * (`burst`); cron `* * * * * *` (always a burst). `--runs NxP,...` replaces the `--jobs` x
 * `--procs` grid with the given (N, processes) pairs.
 *
 * Per (library, N, processes): FLUSHALL, start the processes (each registers, then waits), open
 * one window for all of them, then merge what each recorded: distinct occurrences delivered,
 * duplicates (an occurrence fired twice, in any processes), lateness p50/p99, firings per second,
 * commands the processes sent per firing, commands Redis ran per firing (INFO, including those
 * inside Lua scripts), Redis CPU per firing, worker CPU per firing.
 *
 * Profiling: `--commandstats` prints, per run, Redis's `INFO commandstats` over the window per
 * firing (calls and µs of each command, those inside scripts included: where Redis's time goes);
 * `--cpu-prof DIR` runs the processes under `node --cpu-prof` writing to DIR, each beside a
 * `<pid>.window.json` with the window's profile clock bounds, for
 * `node bench/profile-summary.mjs DIR/CPU.*.<pid>.*.cpuprofile --window DIR/<pid>.window.json`.
 */
import { execFileSync, fork } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { startRedis, serverCounters } from './lib/redis-server.mjs';
import { summarize } from './lib/stats.mjs';
import { now } from './lib/clock.mjs';
import { fmtN, gitDescribe } from './lib/report.mjs';

const CHILD = fileURLToPath(new URL('./redis-child.mjs', import.meta.url));
const LIBS = ['xcore', 'bullmq'];
const KINDS = ['interval', 'cron'];
const PHASES = ['spread', 'burst'];
const USAGE = 'usage: node bench/redis.mjs [--jobs 1000,10000] [--procs 1,2,3] [--runs NxP,...] [--kinds interval,cron] [--phase spread,burst] [--seconds 10] [--warmup 3] [--only xcore,bullmq] [--concurrency 100] [--timeout 120] [--no-write] [--commandstats] [--cpu-prof DIR]';

function parseArgs(argv) {
  const o = { jobs: [1000, 10000], procs: [1, 2, 3], runs: null, kinds: ['interval'], phases: PHASES, seconds: 10, warmup: 3, only: LIBS, concurrency: 100, timeout: 120, write: true, commandstats: false, cpuProf: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = () => { const x = argv[++i]; if (x === undefined) throw new Error(`${a} needs a value\n${USAGE}`); return x; };
    if (a === '--jobs') o.jobs = v().split(',').map(Number);
    else if (a === '--procs') o.procs = v().split(',').map(Number);
    else if (a === '--runs') o.runs = v().split(',').map((x) => x.split('x').map(Number));
    else if (a === '--kinds') o.kinds = v().split(',');
    else if (a === '--phase') o.phases = v().split(',');
    else if (a === '--seconds') o.seconds = Number(v());
    else if (a === '--warmup') o.warmup = Number(v());
    else if (a === '--only') o.only = v().split(',');
    else if (a === '--concurrency') o.concurrency = Number(v());
    else if (a === '--timeout') o.timeout = Number(v());
    else if (a === '--no-write') o.write = false;
    else if (a === '--commandstats') o.commandstats = true;
    else if (a === '--cpu-prof') o.cpuProf = v();
    else if (a === '--help' || a === '-h') { console.log(USAGE); process.exit(0); }
    else throw new Error(`unknown argument ${a}\n${USAGE}`);
  }
  for (const l of o.only) if (!LIBS.includes(l)) throw new Error(`unknown library ${l}; known: ${LIBS.join(', ')}`);
  for (const k of o.kinds) if (!KINDS.includes(k)) throw new Error(`unknown kind ${k}; known: ${KINDS.join(', ')}`);
  for (const p of o.phases) if (!PHASES.includes(p)) throw new Error(`unknown phase ${p}; known: ${PHASES.join(', ')}`);
  o.runs ??= o.jobs.flatMap((n) => o.procs.map((p) => [n, p]));
  for (const [n, p] of o.runs) if (!(n >= 1 && p >= 1)) throw new Error(`--runs takes NxP pairs such as 10000x3\n${USAGE}`);
  return o;
}

/** The load shapes to run: interval schedules per phase, and cron (always a burst). */
function loads(o) {
  const out = [];
  for (const kind of o.kinds) {
    if (kind === 'cron') out.push({ kind, phase: 'burst', title: "Cron `* * * * * *` (a burst: every schedule due at each whole second)" });
    else for (const phase of o.phases) out.push({ kind, phase, title: phase === 'burst' ? 'Interval every 1 s, burst (one phase: every schedule due at the same whole second)' : 'Interval every 1 s, spread (phases evenly over the second)' });
  }
  return out;
}

/** Runs one (lib, n, procs) measurement; never throws: failures come back as a status. */
async function measure(redis, lib, n, procs, o, load) {
  await redis.client.flushall();
  const children = [];
  const ready = [];
  const results = [];
  const exits = [];
  for (let p = 0; p < procs; p++) {
    const prof = o.cpuProf === null ? [] : ['--cpu-prof', '--cpu-prof-interval', '200', `--cpu-prof-dir=${o.cpuProf}`];
    const child = fork(CHILD, [lib, redis.url, String(n), String(p), String(procs), String(o.concurrency), load.kind, load.phase], {
      serialization: 'advanced', stdio: ['ignore', 'ignore', 'pipe', 'ipc'], execArgv: ['--max-old-space-size=4096', ...prof],
      env: o.cpuProf === null ? process.env : { ...process.env, XCORE_BENCH_PROF_DIR: o.cpuProf },
    });
    let stderr = '';
    child.stderr.on('data', (d) => { stderr = (stderr + d).slice(-2000); });
    ready.push(new Promise((resolve) => child.on('message', (m) => {
      if (m.type === 'ready') resolve(m);
      if (m.type === 'result') results[p] = m;
    })));
    exits.push(new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stderr: () => stderr }))));
    children.push(child);
  }
  const fail = async (status, error) => {
    for (const c of children) c.kill('SIGKILL');
    await Promise.all(exits);
    return { lib, n, procs, kind: load.kind, phase: load.phase, status, error };
  };
  const deadline = (ms) => new Promise((r) => setTimeout(() => r('timeout'), ms));
  const anyExit = Promise.race(exits.map((e, p) => e.then((x) => ({ p, ...x }))));

  const readyAll = await Promise.race([Promise.all(ready), deadline(o.timeout * 1000), anyExit]);
  if (readyAll === 'timeout') return fail('timeout', `not registered after ${o.timeout} s`);
  if (!Array.isArray(readyAll)) {
    const r = results[readyAll.p];
    return fail(r?.status ?? 'crash', r?.error?.split('\n')[0] ?? `process ${readyAll.p} exited (${readyAll.signal ?? readyAll.code}) while registering: ${readyAll.stderr().slice(-300)}`);
  }
  const winStart = Math.ceil(now() / 1000) * 1000 + o.warmup * 1000 + 500;
  const winEnd = winStart + o.seconds * 1000;
  for (const c of children) c.send({ type: 'go', winStart, winEnd });

  await new Promise((r) => setTimeout(r, winStart - now()));
  const a = await serverCounters(redis.client);
  const statsA = o.commandstats ? await commandStats(redis.client) : null;
  await new Promise((r) => setTimeout(r, winEnd - now()));
  const b = await serverCounters(redis.client);
  const statsB = o.commandstats ? await commandStats(redis.client) : null;

  const finished = await Promise.race([Promise.all(exits), deadline((o.timeout + 10) * 1000)]);
  if (finished === 'timeout') return fail('timeout', 'did not finish after the window');
  const bad = results.find((r) => !r || r.status !== 'ok');
  if (bad || results.length !== procs) return fail(bad?.status ?? 'crash', bad?.error?.split('\n')[0] ?? 'a process exited without a result');

  // Merge: one counter per (job, second of the window).
  const counts = new Uint8Array(n * o.seconds);
  let samples = 0;
  for (const r of results) samples += r.lateness.length;
  const all = new Float64Array(samples);
  let k = 0;
  let firesInWindow = 0;
  let cpuUs = 0;
  let clientCommands = 0;
  const byName = {};
  const perProcess = [];
  let dropped = null;
  for (const r of results) {
    if (r.dropped) {
      dropped ??= { coalesced: 0, skipped: 0 };
      dropped.coalesced += r.dropped.coalesced;
      dropped.skipped += r.dropped.skipped;
    }
    all.set(r.lateness, k);
    k += r.lateness.length;
    for (let j = 0; j < r.jobIdx.length; j++) {
      const c = r.jobIdx[j] * o.seconds + r.slot[j];
      if (counts[c] < 255) counts[c]++;
    }
    firesInWindow += r.firesInWindow;
    cpuUs += r.cpuUs;
    clientCommands += r.clientCommands;
    for (const [name, count] of Object.entries(r.commandsByName ?? {})) byName[name] = (byName[name] ?? 0) + count;
    perProcess.push(r.lateness.length);
  }
  let distinct = 0;
  let duplicates = 0;
  for (let c = 0; c < counts.length; c++) {
    if (counts[c] > 0) distinct++;
    if (counts[c] > 1) duplicates += counts[c] - 1;
  }
  const commands = b.commands - a.commands - 1;
  return {
    lib, n, procs, kind: load.kind, phase: load.phase, status: 'ok', seconds: o.seconds,
    expected: n * o.seconds, delivered: distinct, duplicates, perProcess,
    firingsPerSecond: distinct / o.seconds,
    dropped,
    lateness: summarize(all, all.length),
    redisCommandsPerFiring: firesInWindow > 0 ? commands / firesInWindow : null,
    clientCommandsPerFiring: firesInWindow > 0 ? clientCommands / firesInWindow : null,
    clientCommandsPerFiringByName: Object.fromEntries(Object.entries(byName)
      .sort((x, y) => y[1] - x[1]).map(([name, count]) => [name, firesInWindow > 0 ? +(count / firesInWindow).toFixed(3) : null])),
    redisCpuUsPerFiring: firesInWindow > 0 ? ((b.cpuSeconds - a.cpuSeconds) * 1e6) / firesInWindow : null,
    workerCpuUsPerFiring: firesInWindow > 0 ? cpuUs / firesInWindow : null,
    registerMs: Math.max(...results.map((r) => r.registerMs)),
    overflow: results.some((r) => r.overflow),
    ...(statsA && statsB ? { commandstats: perFiring(statsA, statsB, firesInWindow) } : {}),
  };
}

/** `INFO commandstats`: calls and µs per command name. */
async function commandStats(client) {
  const out = {};
  for (const m of (await client.info('commandstats')).matchAll(/^cmdstat_([^:]+):calls=(\d+),usec=(\d+)/gm)) out[m[1]] = { calls: Number(m[2]), usec: Number(m[3]) };
  return out;
}

/** Per firing, from two `commandStats`: calls, µs, and µs per call of each command, most µs first. */
function perFiring(a, b, fires) {
  const rows = Object.entries(b).map(([name, x]) => {
    const calls = x.calls - (a[name]?.calls ?? 0);
    const usec = x.usec - (a[name]?.usec ?? 0);
    return { name, callsPerFiring: fires > 0 ? calls / fires : null, usPerFiring: fires > 0 ? usec / fires : null, usPerCall: calls > 0 ? usec / calls : null };
  });
  return rows.filter((r) => r.callsPerFiring > 0).sort((x, y) => y.usPerFiring - x.usPerFiring);
}

const int = (x) => Math.round(x).toLocaleString('en-US');
const f = (x, d = 1) => (x === null || x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(d));

/** BullMQ's p99 over xcore's for the same (N, procs) in `rows`, or null. */
function p99Ratio(rows, r) {
  if (r.lib !== 'xcore' || r.status !== 'ok') return null;
  const peer = rows.find((x) => x.lib === 'bullmq' && x.n === r.n && x.procs === r.procs && x.status === 'ok');
  return peer && peer.delivered > 0 && r.lateness.p99 > 0 ? peer.lateness.p99 / r.lateness.p99 : null;
}

function table(rows) {
  const out = [
    '| library | N | procs | delivered/expected | duplicates | firings/s | lateness p50 ms | p99 ms | BullMQ p99 / xcore p99 | client cmds/firing | Redis cmds/firing | Redis CPU µs/firing | worker CPU µs/firing | register ms |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of rows) {
    if (r.status !== 'ok') {
      out.push(`| ${r.lib} | ${fmtN(r.n)} | ${r.procs} | **${r.status.toUpperCase()}**: ${r.error} | | | | | | | | | | |`);
      continue;
    }
    const mark = r.delivered === r.expected ? '' : ' ⚠';
    const ratio = p99Ratio(rows, r);
    out.push(`| ${r.lib} | ${fmtN(r.n)} | ${r.procs} | ${int(r.delivered)}/${int(r.expected)}${mark} | ${r.duplicates}${r.duplicates ? ' ⚠' : ''} | ${int(r.firingsPerSecond)} | ${f(r.lateness.p50, 2)} | ${f(r.lateness.p99, 1)} | ${ratio === null ? '' : `${f(ratio)}x`} | ${f(r.clientCommandsPerFiring, 2)} | ${f(r.redisCommandsPerFiring, 2)} | ${f(r.redisCpuUsPerFiring)} | ${f(r.workerCpuUsPerFiring)} | ${int(r.registerMs)} |`);
  }
  return out;
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const redis = await startRedis();
  const rows = [];
  const started = Date.now();
  const commit = gitDescribe(execFileSync);
  const loadBefore = os.loadavg()[0];
  try {
    for (const load of loads(o)) {
      for (const [n, procs] of o.runs) {
        for (const lib of o.only) {
          process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${load.kind}/${load.phase} ${lib} ${fmtN(n)} × ${procs} ... `);
          const r = await measure(redis, lib, n, procs, o, load);
          process.stderr.write(r.status === 'ok'
            ? `${r.delivered}/${r.expected}, ${r.duplicates} dup, p99 ${f(r.lateness.p99)} ms, ${f(r.clientCommandsPerFiring, 2)} client / ${f(r.redisCommandsPerFiring, 2)} Redis cmds/firing ${JSON.stringify(r.clientCommandsPerFiringByName)}\n`
            : `${r.status}: ${r.error}\n`);
          if (r.commandstats) {
            for (const c of r.commandstats.slice(0, 14)) process.stderr.write(`    ${c.name.padEnd(18)} ${f(c.callsPerFiring, 3).padStart(7)} calls/firing ${f(c.usPerFiring, 2).padStart(7)} µs/firing ${f(c.usPerCall, 2).padStart(7)} µs/call\n`);
          }
          rows.push(r);
        }
      }
    }
  } finally {
    await redis.stop();
  }
  const cpus = os.cpus();
  const date = new Date().toISOString();
  const md = [
    '# xcore on Redis vs BullMQ job schedulers', '',
    `${date.slice(0, 16).replace('T', ' ')} UTC, ${cpus[0]?.model ?? 'unknown'} × ${cpus.length}, Node ${process.version}, one local redis-server (no persistence), xcore at ${commit}; load average ${loadBefore.toFixed(1)} at the start, ${os.loadavg()[0].toFixed(1)} at the end (other work on the machine counts).`,
    `Window ${o.seconds} s after a ${o.warmup} s warm-up; BullMQ worker concurrency ${o.concurrency}; whole run ${Math.round((Date.now() - started) / 1000)} s.`,
    `Command: \`node bench/redis.mjs ${process.argv.slice(2).join(' ')}\``.replace(/ `$/, '`'), '',
    ...loads(o).flatMap((load) => {
      const these = rows.filter((r) => r.kind === load.kind && r.phase === load.phase);
      return [`## ${load.title}`, '', ...table(these), '',
        'Commands the processes sent per firing, by name (top 6):', '',
        ...these.filter((r) => r.status === 'ok' && r.clientCommandsPerFiringByName).map((r) => `- ${r.lib} ${fmtN(r.n)} × ${r.procs}: ${
          Object.entries(r.clientCommandsPerFiringByName).slice(0, 6).map(([name, v]) => `${name} ${v}`).join(', ')}`), '',
        ...(these.some((r) => r.status === 'ok' && r.dropped) ? ['Occurrences xcore\'s policy dropped in the window (coalesced: claimed after a later one was due; skipped: `maxInstances` reached):', '',
          ...these.filter((r) => r.status === 'ok' && r.dropped).map((r) => `- ${r.lib} ${fmtN(r.n)} × ${r.procs}: coalesced ${int(r.dropped.coalesced)}, skipped ${int(r.dropped.skipped)}`), ''] : [])];
    }),
  ].join('\n');
  console.log(md);
  if (o.write) {
    const dir = fileURLToPath(new URL('./results/', import.meta.url));
    mkdirSync(dir, { recursive: true });
    const stamp = date.slice(0, 19).replace(/:/g, '-');
    writeFileSync(`${dir}${stamp}-redis.json`, JSON.stringify({ date, opts: o, rows }, null, 2));
    const full = o.only.length === LIBS.length;
    writeFileSync(`${dir}${full ? 'latest' : `${stamp}-partial`}-redis.md`, md + '\n');
  }
}

main().catch((err) => {
  process.stderr.write(`${err.stack ?? err}\n`);
  process.exit(2);
});
