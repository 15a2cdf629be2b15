/**
 * `GET /metrics` over real HTTP against a real scheduler: after known runs, the exact counter
 * values, histogram counts and gauges, read with a real Prometheus text parser
 * (`parse-prometheus-text-format`); the job-label limit; the content type; auth.
 *
 * @remarks
 * That parser groups a histogram's series correctly only without labels (with labels it keeps
 * one bucket map and drops the rest), so the text is parsed twice: whole (every line must parse,
 * families and types checked), and with the histogram `# TYPE` lines removed, where each labelled
 * `_bucket`, `_sum` and `_count` series is read as a plain sample with its labels.
 */
import parsePrometheusTextFormat, { type PromFamily } from 'parse-prometheus-text-format';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryStore, Scheduler } from '@xcore/scheduler';
import { call, expectError, startServer, TOKENS, type TestServer } from '../http.fixtures.js';

const HOUR = 3_600_000;
let scheduler: Scheduler;
let host: TestServer | undefined;

afterEach(async () => {
  await host?.close();
  host = undefined;
  await scheduler.stop({ deadlineMs: 1000 });
});

async function boot(section: Record<string, unknown> = {}): Promise<void> {
  scheduler = new Scheduler({ store: new MemoryStore(), logger: pino({ level: 'silent' }), owner: 'proc-1', metrics: { jobLabelLimit: 2 } });
  host = await startServer(section, { getService: ((name: string) => (name === 'scheduler' ? scheduler : undefined)) as never });
}

/** Every sample of the exposition as `name{labels} -> value`, histogram series included. */
function samples(text: string): Map<string, number> {
  const flat = text.split('\n').filter((l) => !/^# TYPE \S+ histogram$/.test(l)).join('\n');
  const out = new Map<string, number>();
  for (const family of parsePrometheusTextFormat(flat)) {
    for (const m of family.metrics) {
      const labels = Object.entries(m.labels ?? {}).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}=${v}`).join(',');
      out.set(`${family.name}{${labels}}`, Number(m.value));
    }
  }
  return out;
}

const run = (labels: string): string => `xcore_scheduler_runs_total{${labels}}`;

describe('GET /metrics', () => {
  it('counts known runs exactly, bounds job labels, and reads the scheduler\'s state', async () => {
    await boot();
    const scheduledRun = new Promise<void>((resolve) => scheduler.on('job.succeeded', (e) => e.record.manual !== true && resolve()));
    await scheduler.addJob(() => 1, { id: 'a', runDate: new Date(Date.now() + 50) });
    // Run only when asked: without a startDate an hourly interval also fires on the hour (UTC).
    const startDate = new Date(Date.now() + HOUR);
    await scheduler.addJob(() => {
      throw new Error('boom');
    }, { id: 'b', every: HOUR, startDate });
    await scheduler.addJob(() => new Promise(() => undefined), { id: 'c', every: HOUR, startDate, timeout: '20ms' });
    await scheduler.addJob(() => undefined, { id: 'd', every: HOUR, startDate });
    scheduler.startFiring();
    await scheduledRun;
    for (let i = 0; i < 2; i++) await scheduler.runJob('a');
    for (let i = 0; i < 2; i++) await scheduler.runJob('b');
    const [timedOut, skipped] = await Promise.all([scheduler.runJob('c'), scheduler.runJob('c')]);
    expect([timedOut.status, skipped.status]).toEqual(['timed_out', 'skipped']);
    for (let i = 0; i < 2; i++) await scheduler.runJob('d');
    await scheduler.pauseJob('d');

    const answer = await fetch(`${host!.url}/metrics`, { headers: { authorization: `Bearer ${TOKENS.read}` } });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await answer.text();

    const families = new Map(parsePrometheusTextFormat(text).map((f: PromFamily) => [f.name, f.type]));
    expect(Object.fromEntries(families)).toMatchObject({
      xcore_scheduler_runs_total: 'COUNTER',
      xcore_scheduler_run_duration_seconds: 'HISTOGRAM',
      xcore_scheduler_run_start_lateness_seconds: 'HISTOGRAM',
      xcore_scheduler_runs_active: 'GAUGE',
      xcore_scheduler_occurrences_queued: 'GAUGE',
      xcore_scheduler_store_operation_duration_seconds: 'HISTOGRAM',
      xcore_scheduler_store_errors_total: 'COUNTER',
      xcore_scheduler_degraded: 'GAUGE',
      xcore_scheduler_jobs: 'GAUGE',
      xcore_scheduler_jobs_failing: 'GAUGE',
    });

    const s = samples(text);
    const counters = [...s].filter(([k]) => k.startsWith('xcore_scheduler_runs_total'));
    // a and b are the first two jobs seen; c and d are counted under "other".
    expect(Object.fromEntries(counters)).toEqual({
      [run('xcore_job_id=a,xcore_job_owner=app,xcore_run_outcome=succeeded')]: 3,
      [run('xcore_job_id=b,xcore_job_owner=app,xcore_run_outcome=failed')]: 2,
      [run('xcore_job_id=other,xcore_job_owner=app,xcore_run_outcome=timed_out')]: 1,
      [run('xcore_job_id=other,xcore_job_owner=app,xcore_run_outcome=skipped')]: 1,
      [run('xcore_job_id=other,xcore_job_owner=app,xcore_run_outcome=succeeded')]: 2,
    });
    expect(s.get('xcore_scheduler_run_duration_seconds_count{xcore_job_id=a,xcore_job_owner=app}')).toBe(3);
    expect(s.get('xcore_scheduler_run_duration_seconds_count{xcore_job_id=b,xcore_job_owner=app}')).toBe(2);
    // The skip never started: no duration.
    expect(s.get('xcore_scheduler_run_duration_seconds_count{xcore_job_id=other,xcore_job_owner=app}')).toBe(3);
    expect(s.get('xcore_scheduler_run_duration_seconds_bucket{le=+Inf,xcore_job_id=other,xcore_job_owner=app}')).toBe(3);
    // The timed-out run took at least its 20 ms timeout: not in the 5 and 10 ms buckets.
    expect(s.get('xcore_scheduler_run_duration_seconds_bucket{le=0.01,xcore_job_id=other,xcore_job_owner=app}')).toBe(2);
    // Manual runs have no start lateness: only a's scheduled run.
    expect([...s].filter(([k]) => k.startsWith('xcore_scheduler_run_start_lateness_seconds_count'))).toEqual([
      ['xcore_scheduler_run_start_lateness_seconds_count{xcore_job_id=a,xcore_job_owner=app}', 1],
    ]);
    // The manual runs' history records are one recordRunNow call each on the memory store; the
    // scheduled run's is written with its batch (one recordRunsNow).
    expect(s.get('xcore_scheduler_store_operation_duration_seconds_count{xcore_store_operation=recordRunNow}')).toBe(8);
    expect(s.get('xcore_scheduler_store_operation_duration_seconds_count{xcore_store_operation=recordRunsNow}')).toBe(1);
    expect([...s.keys()].filter((k) => k.startsWith('xcore_scheduler_store_errors_total'))).toEqual([]);
    expect(s.get('xcore_scheduler_runs_active{}')).toBe(0);
    expect(s.get('xcore_scheduler_occurrences_queued{}')).toBe(0);
    expect(s.get('xcore_scheduler_degraded{}')).toBe(0);
    expect(s.get('xcore_scheduler_jobs{xcore_job_state=scheduled}')).toBe(3);
    expect(s.get('xcore_scheduler_jobs{xcore_job_state=paused}')).toBe(1);
    expect(s.get('xcore_scheduler_jobs_failing{}')).toBe(2);
  });

  it('counts runs in progress while they run', async () => {
    await boot();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    // Runs only when asked: without a startDate the hourly interval also fires on the hour (UTC).
    await scheduler.addJob(() => gate, { id: 'long', every: HOUR, startDate: new Date(Date.now() + HOUR), maxInstances: 3 });
    scheduler.startFiring();
    const runs = [scheduler.runJob('long'), scheduler.runJob('long')];
    const read = async () => samples(await (await fetch(`${host!.url}/metrics`, { headers: { authorization: `Bearer ${TOKENS.read}` } })).text());
    expect((await read()).get('xcore_scheduler_runs_active{}')).toBe(2);
    release();
    await Promise.all(runs);
    expect((await read()).get('xcore_scheduler_runs_active{}')).toBe(0);
  });

  it('needs scope read unless configured public, and can be turned off', async () => {
    await boot();
    expectError(await call(`${host!.url}/metrics`), 401, 'XCORE_ERR_HTTP_UNAUTHENTICATED');
    await host!.close();
    await scheduler.stop();
    await boot({ metrics: { auth: 'public' } });
    expect((await fetch(`${host!.url}/metrics`)).status).toBe(200);
    await host!.close();
    await scheduler.stop();
    await boot({ metrics: { enabled: false } });
    expectError(await call(`${host!.url}/metrics`, { token: TOKENS.read }), 404, 'XCORE_ERR_HTTP_NOT_FOUND');
  });
});
