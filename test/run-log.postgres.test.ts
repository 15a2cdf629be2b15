/**
 * Real jobs through every outcome into the PostgreSQL run log, read back by each filter and by
 * paging.
 *
 * @remarks
 * The sink is the scheduler's `runLog` option: the run path writes each record (see
 * `test/run-log-admin.postgres.test.ts` for the same through `xcore start` and the admin API).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@xcore/core';
import { MemoryStore, Scheduler, schedulerService, type RunLogOutcome, type RunLogRecord, type RunLogSink, type SchedulerService } from '@xcore/scheduler';
import { PostgresRunLog } from '../packages/runlog-postgres/src/index.js';
import { createTestDatabase, postgresUnavailable, type TestDatabase } from './helpers/postgres.js';

const skip = await postgresUnavailable();

async function readAll(sink: RunLogSink, filter: Parameters<RunLogSink['query']>[0] = {}): Promise<RunLogRecord[]> {
  const out: RunLogRecord[] = [];
  let cursor: string | null = null;
  do {
    const page = await sink.query({ ...filter, limit: 3, ...(cursor === null ? {} : { cursor }) });
    out.push(...page.records);
    cursor = page.nextCursor;
  } while (cursor !== null);
  return out;
}

describe.skipIf(skip)('jobs through every outcome into the PostgreSQL run log', () => {
  let db: TestDatabase;
  let sink: PostgresRunLog;
  let all: RunLogRecord[];
  const started = Date.now();

  beforeAll(async () => {
    db = await createTestDatabase('jobs');
    sink = await PostgresRunLog.open({ url: db.url, flushMs: 10, retention: null });
    const scheduler = new Scheduler({ store: new MemoryStore(), logger: createLogger({ level: 'silent', pretty: false }), owner: 'proc-1', runLog: sink });
    // Two plugins' views (their jobs are owned by the plugin and namespaced), and the app's own jobs.
    const billing = schedulerService.forPlugin!(scheduler, 'billing') as SchedulerService;
    const reports = schedulerService.forPlugin!(scheduler, 'reports') as SchedulerService;
    const soon = new Date(Date.now() + 150);
    await billing.addJob(() => 'done', { id: 'ok', runDate: soon });
    await billing.addJob(() => { throw new TypeError('card declined'); }, { id: 'fail', runDate: soon });
    await reports.addJob(() => new Promise(() => undefined), { id: 'slow', runDate: soon, timeout: '50ms' });
    // 100 ms period, each run 250 ms, one at a time: the occurrences in between are skipped.
    await reports.addJob(() => new Promise((r) => setTimeout(r, 250)), { id: 'busy', every: '100ms', maxInstances: 1 });
    // Latest only: after the loop is blocked for several periods, one run and one missed decision.
    await scheduler.addJob(() => undefined, { id: 'prune', every: '100ms', coalesce: 'latest', misfireGraceTime: null });
    // Never returns: aborted when the scheduler stops past its drain deadline.
    await scheduler.addJob(() => new Promise(() => undefined), { id: 'stuck', runDate: soon });
    scheduler.startFiring();
    await scheduler.runJob('billing:ok');
    await new Promise((r) => setTimeout(r, 400));
    const blockedUntil = Date.now() + 550;
    while (Date.now() < blockedUntil) {
      // a blocked event loop, as a CPU-bound job would cause
    }
    await new Promise((r) => setTimeout(r, 300));
    await scheduler.stop({ deadlineMs: 50 });
    expect(await sink.flush({ timeoutMs: 15_000 })).toBe(true);
    all = await readAll(sink);
  });
  afterAll(async () => {
    await sink?.close();
    await db?.drop();
  });

  it('holds every outcome, each from the job that produced it', () => {
    const jobsBy = (outcome: RunLogOutcome): string[] => [...new Set(all.filter((r) => r.outcome === outcome).map((r) => r.jobId))].sort();
    expect(jobsBy('succeeded')).toEqual(expect.arrayContaining(['billing:ok', 'prune', 'reports:busy']));
    expect(jobsBy('failed')).toEqual(['billing:fail']);
    expect(jobsBy('timed_out')).toEqual(['reports:slow']);
    expect(jobsBy('aborted')).toEqual(expect.arrayContaining(['stuck']));
    expect(jobsBy('skipped')).toEqual(['reports:busy']);
    expect(jobsBy('missed')).toEqual(expect.arrayContaining(['prune'])); // the blocked loop makes reports:busy miss some too
    expect(all.find((r) => r.outcome === 'missed' && r.jobId === 'prune')?.occurrences).toBeGreaterThanOrEqual(2);
    const failed = all.find((r) => r.outcome === 'failed')!;
    expect(failed).toMatchObject({ owner: 'billing', errorMessage: 'card declined', process: 'proc-1', manual: false });
    expect(failed.errorStack).toContain('TypeError: card declined');
    expect(all.every((r) => r.finishedAt >= started && r.finishedAt <= Date.now())).toBe(true);
  });

  it('answers each filter with exactly the matching records, newest first, across pages', async () => {
    const newest = (rs: RunLogRecord[]): string[] => [...rs].sort((a, b) => b.finishedAt - a.finishedAt || (a.runId < b.runId ? 1 : -1)).map((r) => r.runId);
    const ids = (rs: RunLogRecord[]): string[] => rs.map((r) => r.runId);
    expect(ids(all)).toEqual(newest(all));
    expect(ids(await readAll(sink, { jobId: 'reports:busy' }))).toEqual(newest(all.filter((r) => r.jobId === 'reports:busy')));
    expect(ids(await readAll(sink, { owner: 'billing' }))).toEqual(newest(all.filter((r) => r.owner === 'billing')));
    expect(ids(await readAll(sink, { outcome: ['failed', 'timed_out'] }))).toEqual(newest(all.filter((r) => r.outcome === 'failed' || r.outcome === 'timed_out')));
    const manual = await readAll(sink, { manual: true });
    expect(manual.map((r) => [r.jobId, r.outcome])).toEqual([['billing:ok', 'succeeded']]);
    const mid = all[Math.floor(all.length / 2)]!.finishedAt;
    expect(ids(await readAll(sink, { from: mid }))).toEqual(newest(all.filter((r) => r.finishedAt >= mid)));
    expect(ids(await readAll(sink, { to: mid, outcome: 'succeeded' }))).toEqual(newest(all.filter((r) => r.finishedAt < mid && r.outcome === 'succeeded')));
    const bySchedule = await readAll(sink, { timeField: 'scheduledAt', jobId: 'reports:busy' });
    expect(bySchedule.map((r) => r.scheduledAt)).toEqual([...bySchedule.map((r) => r.scheduledAt)].sort((a, b) => b - a));
  });
});
