/**
 * The run log wired end to end: a real `xcore start` with `services.scheduler.runLog` on a
 * throwaway PostgreSQL database runs jobs through every outcome (succeeded with a return value,
 * failed, timed out, skipped, missed, a manual run asked for over the admin API, aborted by the
 * shutdown drain), and `GET /admin/v1/runs` reads them back over real HTTP with each filter and by
 * paging, also from a second host started after the first one stopped.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from '../packages/http/src/http.fixtures.js';
import { runXcore, type XcoreProcess } from './helpers/cli-process.js';
import { createTestDatabase, postgresUnavailable, type TestDatabase } from './helpers/postgres.js';

const skip = await postgresUnavailable();
const TMP = fileURLToPath(new URL('./.tmp/', import.meta.url));
const READ = 'runlog-read-0123456789abcdef';
const OPERATE = 'runlog-operate-0123456789abcdef';

/** Registers the jobs unless QUIET is set (the second host only serves the log). */
const OPS_PLUGIN = `export default {
  async onStart(ctx) {
    if (process.env.QUIET) return;
    const s = ctx.getService('scheduler');
    const soon = new Date(Date.now() + 300);
    // Runs only when asked: an hourly interval without startDate would fire on the hour (UTC) too.
    await s.addJob(() => ({ processed: 7 }), { id: 'ok', every: '1h', startDate: new Date(Date.now() + 3_600_000) });
    await s.addJob(() => { throw new TypeError('card declined'); }, { id: 'fail', runDate: soon });
    await s.addJob(() => new Promise(() => undefined), { id: 'slow', runDate: soon, timeout: '50ms' });
    // Runs take 450 ms, one at a time, every 150 ms: the occurrences in between are skipped.
    await s.addJob(() => new Promise((r) => setTimeout(r, 450)), { id: 'busy', every: '150ms', maxInstances: 1 });
    // Latest only: while the loop is blocked below, its occurrences are missed.
    await s.addJob(() => undefined, { id: 'prune', every: '100ms', coalesce: 'latest', misfireGraceTime: null });
    await s.addJob(() => { const until = Date.now() + 800; while (Date.now() < until) {} }, { id: 'block', runDate: new Date(Date.now() + 900) });
    // Never settles: aborted by the shutdown drain.
    await s.addJob(() => new Promise(() => undefined), { id: 'stuck', runDate: soon });
  },
};
`;

interface Run {
  runId: string; jobId: string; owner: string; outcome: string; scheduledAt: string; startedAt: string | null; finishedAt: string; durationMs: number | null;
  attempts: number; occurrences: number; error: string | null; errorStack: string | null; manual: boolean; requestedBy: string | null; process: string | null;
  result: unknown; resultOmitted: string | null;
}
interface Page { source: string; items: Run[]; nextCursor: string | null }

describe.skipIf(skip)('the run log through xcore start and GET /admin/v1/runs', () => {
  let db: TestDatabase;
  let dir: string;
  const hosts: XcoreProcess[] = [];
  let url = '';
  let first: Run[] = [];
  let metricsText = '';

  async function start(env: Record<string, string> = {}): Promise<XcoreProcess> {
    const host = runXcore(['start', '-c', join(dir, 'xcore.yaml')], { cwd: dir, env: { RUNLOG_URL: db.url, ...env } });
    hosts.push(host);
    const listening = await host.waitFor((l) => l.msg === 'http listening', 60_000);
    await host.waitFor((l) => l.msg === 'xcore started', 60_000);
    url = String(listening.url);
    return host;
  }

  async function runs(query = ''): Promise<Page> {
    const answer = await call(`${url}/admin/v1/runs${query}`, { token: READ });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    return answer.body as Page;
  }

  async function readAll(query = ''): Promise<Run[]> {
    const out: Run[] = [];
    let cursor: string | null = null;
    do {
      const page: Page = await runs(`?limit=3${query}${cursor === null ? '' : `&cursor=${cursor}`}`);
      out.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor !== null);
    return out;
  }

  beforeAll(async () => {
    db = await createTestDatabase('runlog_admin');
    mkdirSync(TMP, { recursive: true });
    dir = mkdtempSync(join(TMP, 'runlog-'));
    writeFileSync(join(dir, 'xcore.yaml'), `app:
  name: runlog-fixture
  shutdownTimeoutMs: 2s
logging:
  level: info
  pretty: false
plugins:
  directory: ./plugins
services:
  scheduler:
    backend: memory
    runLog:
      backend: postgres
      url: \${RUNLOG_URL}
      flushMs: 10ms
  http:
    enabled: true
    port: 0
    rateLimit: { failures: 1000000 }
    auth:
      tokens:
        - { id: reader, token: "${READ}", scopes: [read] }
        - { id: operator, token: "${OPERATE}", scopes: [operate] }
`);
    const folder = join(dir, 'plugins', 'ops');
    mkdirSync(join(folder, 'src'), { recursive: true });
    writeFileSync(join(folder, 'package.json'), JSON.stringify({ name: 'ops', version: '1.0.0', type: 'module', xcore: { name: 'ops', entry: './src/index.ts' } }));
    writeFileSync(join(folder, 'src', 'index.ts'), OPS_PLUGIN);

    const host = await start();
    const manual = await call(`${url}/admin/v1/jobs/ops%3Aok/run`, { method: 'POST', token: OPERATE, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ wait: true }) });
    expect(manual.status).toBe(200);
    // Every outcome but the drain's abort is in the log (written 10 ms after each run at most).
    const deadline = Date.now() + 60_000;
    for (;;) {
      const seen = new Set((await readAll()).map((r) => r.outcome));
      if (['succeeded', 'failed', 'timed_out', 'skipped', 'missed'].every((o) => seen.has(o))) break;
      if (Date.now() > deadline) throw new Error(`outcomes seen after 60 s: ${[...seen].join(', ')}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    first = await readAll();
    const scrape = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${READ}` } });
    expect(scrape.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    metricsText = await scrape.text();
    host.child.kill('SIGTERM');
    expect(await host.exited).toBe(3); // the drain deadline passed: ops:stuck was aborted
    await start({ QUIET: '1' });
  }, 180_000);

  afterAll(async () => {
    for (const h of hosts) h.child.kill('SIGKILL');
    await db?.drop();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('holds every outcome with the fields the run path knows, durably across hosts', async () => {
    const all = await readAll();
    expect(all.length).toBeGreaterThan(first.length);
    // What the first host answered is still there, unchanged, read by the second.
    const byId = new Map(all.map((r) => [r.runId, r]));
    for (const r of first) expect(byId.get(r.runId)).toEqual(r);
    const jobsBy = (outcome: string): string[] => [...new Set(all.filter((r) => r.outcome === outcome).map((r) => r.jobId))].sort();
    expect(jobsBy('failed')).toEqual(['ops:fail']);
    expect(jobsBy('timed_out')).toEqual(['ops:slow']);
    expect(jobsBy('skipped')).toEqual(['ops:busy']);
    expect(jobsBy('missed')).toEqual(expect.arrayContaining(['ops:prune']));
    expect(jobsBy('aborted')).toEqual(expect.arrayContaining(['ops:stuck']));
    expect(jobsBy('succeeded')).toEqual(expect.arrayContaining(['ops:ok', 'ops:busy', 'ops:prune', 'ops:block']));

    const failed = all.find((r) => r.outcome === 'failed')!;
    expect(failed).toMatchObject({ owner: 'ops', error: 'card declined', manual: false, requestedBy: null, attempts: 1, occurrences: 1, result: null });
    expect(failed.errorStack).toContain('TypeError: card declined');
    expect(failed.process).toMatch(/:\d+:/);
    expect(Date.parse(failed.finishedAt) - Date.parse(failed.startedAt!)).toBe(failed.durationMs);
    const ok = all.find((r) => r.jobId === 'ops:ok')!;
    expect(ok).toMatchObject({ outcome: 'succeeded', manual: true, requestedBy: 'token:operator', result: { processed: 7 }, resultOmitted: null });
    const skipped = all.find((r) => r.outcome === 'skipped')!;
    expect(skipped).toMatchObject({ startedAt: null, durationMs: null, attempts: 0 });
    expect(all.find((r) => r.outcome === 'missed' && r.jobId === 'ops:prune')!.occurrences).toBeGreaterThanOrEqual(2);
    const stuck = all.find((r) => r.jobId === 'ops:stuck')!;
    expect(stuck.outcome).toBe('aborted');
    expect(stuck.error).toMatch(/shut down/);
  });

  it('served the same one-shot runs as metrics at GET /metrics', () => {
    const counters = parsePrometheusTextFormat(metricsText).find((f) => f.name === 'xcore_scheduler_runs_total')!;
    const count = (job: string, outcome: string): number | undefined => {
      const m = counters.metrics.find((x) => x.labels?.['xcore_job_id'] === job && x.labels['xcore_run_outcome'] === outcome);
      return m === undefined ? undefined : Number(m.value);
    };
    expect([count('ops:fail', 'failed'), count('ops:slow', 'timed_out'), count('ops:ok', 'succeeded')]).toEqual([1, 1, 1]);
    expect(count('ops:busy', 'skipped')).toBeGreaterThanOrEqual(1);
  });

  it('answers each filter with exactly the matching records, newest first, across pages', async () => {
    const all = await readAll();
    const ids = (rs: Run[]): string[] => rs.map((r) => r.runId);
    const newest = [...all].sort((a, b) => Date.parse(b.finishedAt) - Date.parse(a.finishedAt) || (a.runId < b.runId ? 1 : -1));
    expect(ids(all)).toEqual(ids(newest));
    expect(new Set(ids(all)).size).toBe(all.length);
    expect(ids(await readAll('&job=ops:busy'))).toEqual(ids(all.filter((r) => r.jobId === 'ops:busy')));
    expect(ids(await readAll('&owner=ops'))).toEqual(ids(all));
    expect(await readAll('&owner=billing')).toEqual([]);
    expect(ids(await readAll('&outcome=failed,timed_out'))).toEqual(ids(all.filter((r) => r.outcome === 'failed' || r.outcome === 'timed_out')));
    expect((await readAll('&manual=true')).map((r) => r.jobId)).toEqual(['ops:ok']);
    const mid = all[Math.floor(all.length / 2)]!.finishedAt;
    expect(ids(await readAll(`&from=${encodeURIComponent(mid)}`))).toEqual(ids(all.filter((r) => r.finishedAt >= mid)));
    expect(ids(await readAll(`&to=${Date.parse(mid)}&outcome=succeeded`))).toEqual(ids(all.filter((r) => r.finishedAt < mid && r.outcome === 'succeeded')));
    const bySchedule = await readAll('&timeField=scheduledAt&job=ops:busy');
    expect(bySchedule.map((r) => r.scheduledAt)).toEqual(bySchedule.map((r) => r.scheduledAt).sort().reverse());
    const bad = await call(`${url}/admin/v1/runs?from=2026-13-45`, { token: READ });
    expect([bad.status, (bad.body as { error: { code: string } }).error.code]).toEqual([400, 'XCORE_ERR_RUNLOG_QUERY_INVALID']);
  });
});
