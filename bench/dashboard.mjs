#!/usr/bin/env node
/**
 * Dashboard benchmark: with N jobs (100,000 by default) on the memory store (and on Redis, a
 * redis-server this script starts), how long the dashboard takes in a real headless Chromium
 * (Debian's chromium driven by playwright-core) to
 * - first render: from navigation start to the first page of the jobs table on screen (the
 *   `xcore:rows` User Timing mark the page sets when it renders rows), signed in, cold tab;
 * - a search result: from the `input` event in the search box to the table showing the match,
 *   for an exact id near the end of the id order (`job-0<N-1>`, the server scans every id) and a
 *   prefix matching 100 jobs. This includes the page's 200 ms typing debounce, shown apart.
 *
 *   node bench/dashboard.mjs [--jobs 100000] [--rounds 7] [--backends memory,redis] [--no-write]
 *
 * Results print as a Markdown table and go to bench/results/latest-dashboard.md.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@xcore/core';
import { createHttpServer, httpConfigSchema } from '@xcore/http';
import { MemoryStore, RedisStore, Scheduler } from '@xcore/scheduler';
import { chromium } from 'playwright-core';
import { startRedis } from './lib/redis-server.mjs';
import { summarize } from './lib/stats.mjs';
import { gitDescribe } from './lib/report.mjs';

const USAGE = 'usage: node bench/dashboard.mjs [--jobs 100000] [--rounds 7] [--backends memory,redis] [--no-write]';
const TOKEN = 'bench-dashboard-token-0123456789abcdef';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const DEBOUNCE_MS = 200;

function parseArgs(argv) {
  const o = { jobs: 100_000, rounds: 7, backends: ['memory', 'redis'], write: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = () => { const x = argv[++i]; if (x === undefined) throw new Error(`${a} needs a value\n${USAGE}`); return x; };
    if (a === '--jobs') o.jobs = Number(v());
    else if (a === '--rounds') o.rounds = Number(v());
    else if (a === '--backends') o.backends = v().split(',');
    else if (a === '--no-write') o.write = false;
    else throw new Error(`unknown argument ${a}\n${USAGE}`);
  }
  return o;
}

const id = (n) => `job-${String(n).padStart(6, '0')}`;

/** Types `text` into the search box and resolves with the ms until the table shows rows whose first id is `first`. */
async function searchTime(page, text, first) {
  return page.evaluate(([q, expected]) => new Promise((resolve, reject) => {
    const input = document.getElementById('job-search');
    const timer = setTimeout(() => reject(new Error(`no result for ${q} within 60 s`)), 60_000);
    const observer = new PerformanceObserver((list) => {
      for (const mark of list.getEntriesByName('xcore:rows')) {
        if (mark.detail?.first === expected) {
          observer.disconnect();
          clearTimeout(timer);
          resolve(mark.startTime - t0);
        }
      }
    });
    observer.observe({ type: 'mark' });
    const t0 = performance.now();
    input.value = q;
    input.dispatchEvent(new Event('input', { bubbles: true }));
  }), [text, first]);
}

async function runBackend(backend, o, logger, context) {
  const redis = backend === 'redis' ? await startRedis() : undefined;
  const store = redis === undefined ? new MemoryStore() : new RedisStore({ url: redis.url, prefix: 'bench-dash' });
  const scheduler = new Scheduler({ store, logger, owner: `bench-${backend}` });
  const fn = () => undefined;
  for (let i = 0; i < o.jobs; i += 500) {
    const batch = [];
    for (let j = i; j < Math.min(o.jobs, i + 500); j++) batch.push(scheduler.addJob(fn, { id: id(j), every: '1h' }));
    await Promise.all(batch);
  }
  scheduler.startFiring();
  const config = httpConfigSchema.parse({ enabled: true, port: 0, rateLimit: { failures: 1_000_000 }, auth: { tokens: [{ id: 'bench', token: TOKEN, scopes: ['operate'] }] } });
  const server = createHttpServer({ config, logger, configFile: '', getService: (name) => (name === 'scheduler' ? scheduler : undefined) });
  const address = await server.start();
  try {
    const signIn = await fetch(`${address.url}/admin/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: TOKEN }) });
    const cookie = signIn.headers.get('set-cookie').split(';')[0].split('=');
    await context.clearCookies();
    await context.addCookies([{ name: cookie[0], value: cookie[1], url: `${address.url}/admin/` }]);
    const first = [];
    const exact = [];
    const prefix = [];
    const last = id(o.jobs - 1);
    const prefixText = id(Math.floor(o.jobs / 2)).slice(0, -2);
    for (let round = 0; round < o.rounds + 1; round++) {
      const page = await context.newPage();
      await page.goto(`${address.url}/admin/`);
      await page.locator('tr[data-job]').first().waitFor({ timeout: 60_000 });
      const rendered = await page.evaluate(() => performance.getEntriesByName('xcore:rows')[0]?.startTime ?? null);
      const e = await searchTime(page, last, last);
      const p = await searchTime(page, prefixText, `${prefixText}00`);
      await page.close();
      if (round === 0) continue; // warm-up (first connection, JIT)
      first.push(rendered);
      exact.push(e);
      prefix.push(p);
    }
    return { backend, first: summarize(Float64Array.from(first), first.length), exact: summarize(Float64Array.from(exact), exact.length), prefix: summarize(Float64Array.from(prefix), prefix.length) };
  } finally {
    await server.stop(1000);
    await scheduler.stop({ deadlineMs: 1000 });
    await redis?.stop?.();
  }
}

const o = parseArgs(process.argv.slice(2));
// The bench runs the http service without a kernel: the owner filter's GET /plugins answers 503, logged at error.
const logger = createLogger({ level: 'fatal', pretty: false });
const profile = mkdtempSync(join(os.tmpdir(), 'xcore-bench-chromium-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: CHROMIUM, headless: true, viewport: { width: 1360, height: 860 },
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-dev-shm-usage'],
});
const results = [];
try {
  for (const backend of o.backends) {
    process.stderr.write(`${backend}: registering ${o.jobs} jobs and measuring ${o.rounds} rounds...\n`);
    results.push(await runBackend(backend, o, logger, context));
  }
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
const f = (x) => x.toFixed(0);
const bundle = JSON.parse(readFileSync(new URL('../packages/dashboard/dist/assets/manifest.json', import.meta.url), 'utf8'));
const bytes = (name) => readFileSync(new URL(`../packages/dashboard/dist/assets/${name}`, import.meta.url)).length;
const lines = [
  `Dashboard, ${o.jobs.toLocaleString('en')} jobs, headless Chromium ${execFileSync(CHROMIUM, ["--version"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim().replace(/^Chromium\s*/, '')}, ${o.rounds} rounds after a warm-up, p50 / p99 in ms.`,
  `Machine: ${os.cpus()[0]?.model ?? 'unknown'} x${os.cpus().length}, load average ${os.loadavg()[0].toFixed(1)}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}, ${gitDescribe(execFileSync)}.`,
  `Bundle: ${(bytes(bundle.script) / 1024).toFixed(1)} KiB script, ${(bytes(bundle.style) / 1024).toFixed(1)} KiB stylesheet (minified, uncompressed).`,
  '',
  '| backend | first render (navigation to table) | exact id search, last id | of which typing debounce | prefix search (100 matches) |',
  '|---|---|---|---|---|',
  ...results.map((r) => `| ${r.backend} | ${f(r.first.p50)} / ${f(r.first.p99)} | ${f(r.exact.p50)} / ${f(r.exact.p99)} | ${DEBOUNCE_MS} | ${f(r.prefix.p50)} / ${f(r.prefix.p99)} |`),
];
console.log(lines.join('\n'));
if (o.write) {
  mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
  writeFileSync(new URL('./results/latest-dashboard.md', import.meta.url), `${lines.join('\n')}\n`);
}
