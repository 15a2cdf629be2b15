#!/usr/bin/env node
/**
 * Admin API benchmark: listing N jobs page by page over HTTP and the latency of run-now, on the
 * memory store and on Redis (a redis-server this script starts on a free port), through the real
 * http service and the scheduler's operator view, in one process.
 *
 *   node bench/admin.mjs [--jobs 100000] [--page 500] [--runs 200] [--backends memory,redis] [--no-write]
 *
 * Per backend: register N interval jobs (every hour, so none fires), start the scheduler and the
 * http server on 127.0.0.1, then
 * - list: GET /admin/v1/jobs?limit=<page> following nextCursor to the end: total time, per-page
 *   p50/p99, and a check that every job came once;
 * - list (filter matching one job): the same listing with `q=<the last job's id>`, which
 *   scans every id to find one;
 * - state: GET /admin/v1/scheduler (counts every job: paused, failing, running), 20 times;
 * - run-now queued: POST /admin/v1/jobs/{id}/run (202 once the request is in the store);
 * - run-now waited: the same with `{ "wait": true }` (200 once the run finished and its record
 *   is written: request, take by the runner, run, record, answer);
 * - the CLI: `xcore jobs ls --all --json` (the built binary in a child process, pages of <page>)
 *   listing every job, and `xcore jobs run <id> --wait` --cli-runs times (each a new process, so
 *   Node's start and the CLI's imports are in it).
 * Results print as a Markdown table and go to bench/results/latest-admin.md.
 */
import { execFile, execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { createLogger } from '@xcore/core';
import { createHttpServer, httpConfigSchema } from '@xcore/http';
import { MemoryStore, RedisStore, Scheduler } from '@xcore/scheduler';
import { startRedis } from './lib/redis-server.mjs';
import { summarize } from './lib/stats.mjs';
import { gitDescribe } from './lib/report.mjs';

const USAGE = 'usage: node bench/admin.mjs [--jobs 100000] [--page 500] [--runs 200] [--cli-runs 10] [--backends memory,redis] [--no-write]';
const CLI = new URL('../packages/cli/dist/bin.js', import.meta.url);
const TOKEN = 'bench-admin-token-0123456789abcdef';

function parseArgs(argv) {
  const o = { jobs: 100_000, page: 500, runs: 200, cliRuns: 10, backends: ['memory', 'redis'], write: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = () => { const x = argv[++i]; if (x === undefined) throw new Error(`${a} needs a value\n${USAGE}`); return x; };
    if (a === '--jobs') o.jobs = Number(v());
    else if (a === '--page') o.page = Number(v());
    else if (a === '--runs') o.runs = Number(v());
    else if (a === '--cli-runs') o.cliRuns = Number(v());
    else if (a === '--backends') o.backends = v().split(',');
    else if (a === '--no-write') o.write = false;
    else throw new Error(`unknown argument ${a}\n${USAGE}`);
  }
  return o;
}

const ms = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;

async function request(url, init = {}) {
  const t0 = process.hrtime.bigint();
  const res = await fetch(url, { ...init, headers: { authorization: `Bearer ${TOKEN}`, ...(init.body ? { 'content-type': 'application/json' } : {}) } });
  const body = await res.json();
  if (res.status >= 400) throw new Error(`${init.method ?? 'GET'} ${url}: ${res.status} ${JSON.stringify(body)}`);
  return { ms: ms(t0), status: res.status, body };
}

/** Lists every job from `query`, page by page; returns ids and per-page times. */
async function listAll(base, query) {
  const times = new Float64Array(100_000);
  let pages = 0;
  const ids = [];
  let cursor = null;
  const t0 = process.hrtime.bigint();
  do {
    const page = await request(`${base}/jobs?${query}${cursor === null ? '' : `&cursor=${cursor}`}`);
    times[pages++] = page.ms;
    for (const item of page.body.items) ids.push(item.id);
    cursor = page.body.nextCursor;
  } while (cursor !== null);
  return { ids, totalMs: ms(t0), pages, perPage: summarize(times, pages) };
}

/** Runs the built `xcore` binary with `args` (async: the server answering it runs in this process). */
async function xcore(args) {
  const t0 = process.hrtime.bigint();
  const { stdout } = await promisify(execFile)(process.execPath, [fileURLToPath(CLI), ...args], { maxBuffer: 1024 ** 3, env: { ...process.env, XCORE_TOKEN: TOKEN } });
  return { ms: ms(t0), stdout };
}

async function runBackend(backend, o, logger) {
  const redis = backend === 'redis' ? await startRedis() : undefined;
  const store = redis === undefined ? new MemoryStore() : new RedisStore({ url: redis.url, prefix: 'bench-admin' });
  const scheduler = new Scheduler({ store, logger, owner: `bench-${backend}` });
  const t0 = process.hrtime.bigint();
  const fn = () => undefined;
  for (let i = 0; i < o.jobs; i += 500) {
    const batch = [];
    for (let j = i; j < Math.min(o.jobs, i + 500); j++) {
      batch.push(scheduler.addJob(fn, { id: `job-${String(j).padStart(6, '0')}`, every: '1h' }));
    }
    await Promise.all(batch);
  }
  const registerMs = ms(t0);
  scheduler.startFiring();
  const config = httpConfigSchema.parse({ enabled: true, port: 0, rateLimit: { failures: 1_000_000 }, auth: { tokens: [{ id: 'bench', token: TOKEN, scopes: ['admin'] }] } });
  const server = createHttpServer({ config, logger, configFile: '', getService: (name) => (name === 'scheduler' ? scheduler : undefined) });
  const address = await server.start();
  const base = `${address.url}/admin/v1`;
  try {
    await request(`${base}/jobs?limit=1`); // warm up
    const list = await listAll(base, `limit=${o.page}`);
    if (list.ids.length !== o.jobs || new Set(list.ids).size !== o.jobs) throw new Error(`${backend}: listed ${list.ids.length} ids (${new Set(list.ids).size} distinct), expected ${o.jobs}`);
    const filtered = await listAll(base, `limit=${o.page}&q=job-${String(o.jobs - 1).padStart(6, '0')}`);
    if (filtered.ids.length !== 1) throw new Error(`${backend}: the filtered listing found ${filtered.ids.length} jobs, expected 1`);
    const states = new Float64Array(20);
    for (let i = 0; i < 20; i++) {
      const state = await request(`${base}/scheduler`);
      if (state.body.counts.jobs !== o.jobs) throw new Error(`${backend}: the state counts ${state.body.counts.jobs} jobs, expected ${o.jobs}`);
      states[i] = state.ms;
    }
    const queued = new Float64Array(o.runs);
    const waited = new Float64Array(o.runs);
    for (let i = 0; i < o.runs; i++) {
      const id = encodeURIComponent(`job-${String((i * 7919) % o.jobs).padStart(6, '0')}`);
      queued[i] = (await request(`${base}/jobs/${id}/run`, { method: 'POST', body: '{}' })).ms;
      const done = await request(`${base}/jobs/${id}/run`, { method: 'POST', body: '{"wait":true}' });
      if (done.status !== 200 || done.body.status !== 'finished') throw new Error(`${backend}: a waited run answered ${done.status} ${done.body.status}`);
      waited[i] = done.ms;
    }
    const cliList = await xcore(['jobs', 'ls', '--all', '--limit', String(o.page), '--json', '--url', address.url]);
    const cliIds = JSON.parse(cliList.stdout).items.map((j) => j.id);
    if (cliIds.length !== o.jobs || new Set(cliIds).size !== o.jobs) throw new Error(`${backend}: xcore jobs ls --all listed ${cliIds.length} ids (${new Set(cliIds).size} distinct), expected ${o.jobs}`);
    const cliRuns = new Float64Array(o.cliRuns);
    for (let i = 0; i < o.cliRuns; i++) {
      const run = await xcore(['jobs', 'run', `job-${String((i * 104729) % o.jobs).padStart(6, '0')}`, '--wait', '--json', '--url', address.url]);
      if (JSON.parse(run.stdout).status !== 'finished') throw new Error(`${backend}: xcore jobs run --wait printed ${run.stdout}`);
      cliRuns[i] = run.ms;
    }
    return { backend, registerMs, list, filtered, state: summarize(states, 20), queued: summarize(queued, o.runs), waited: summarize(waited, o.runs), cliListMs: cliList.ms, cliRun: summarize(cliRuns, o.cliRuns), rss: process.memoryUsage().rss };
  } finally {
    await server.stop(1000);
    await scheduler.stop({ deadlineMs: 1000 });
    await scheduler.dispose();
    await redis?.stop();
  }
}

const f1 = (x) => (x === null ? '-' : x < 10 ? x.toFixed(2) : x.toFixed(1));

function table(results, o) {
  const lines = [
    `| backend | register ${o.jobs.toLocaleString('en')} jobs | list all (${o.page}/page): total | pages | page p50 / p99 | list, filter matching 1: total | state p50 / p99 | run-now queued p50 / p99 | run-now waited p50 / p99 | \`xcore jobs ls --all --json\` | \`xcore jobs run --wait\` p50 / p99 |`,
    '|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of results) {
    lines.push(`| ${r.backend} | ${(r.registerMs / 1000).toFixed(1)} s | ${(r.list.totalMs / 1000).toFixed(2)} s | ${r.list.pages} | ${f1(r.list.perPage.p50)} / ${f1(r.list.perPage.p99)} ms | ${f1(r.filtered.totalMs)} ms (${r.filtered.pages} calls) | ${f1(r.state.p50)} / ${f1(r.state.p99)} ms | ${f1(r.queued.p50)} / ${f1(r.queued.p99)} ms | ${f1(r.waited.p50)} / ${f1(r.waited.p99)} ms | ${(r.cliListMs / 1000).toFixed(2)} s | ${f1(r.cliRun.p50)} / ${f1(r.cliRun.p99)} ms |`);
  }
  return lines.join('\n');
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const logger = createLogger({ level: 'warn', pretty: false });
  const results = [];
  for (const backend of o.backends) {
    process.stderr.write(`${backend}: registering ${o.jobs} jobs...\n`);
    results.push(await runBackend(backend, o, logger));
  }
  const head = `Admin API, ${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, xcore ${gitDescribe(execFileSync)}; ${o.runs} run-now requests per kind, ${o.cliRuns} CLI runs.`;
  const out = `${head}\n\n${table(results, o)}\n`;
  process.stdout.write(`${out}\n`);
  if (o.write) {
    const dir = new URL('./results/', import.meta.url);
    mkdirSync(dir, { recursive: true });
    writeFileSync(new URL('latest-admin.md', dir), out);
  }
}

main().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
