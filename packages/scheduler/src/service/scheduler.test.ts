import { describe, expect, it, vi } from 'vitest';
import pino from 'pino';
import { createEventBus, type EventBus, type EventName } from '@xcore/core';
import { MemoryStore } from '../stores/memory-store.js';
import { Scheduler, type SchedulerOptions } from './scheduler.js';
import type { JobContext } from './scheduler-service.js';
import { useFakeSchedulerClock } from './scheduler.fixtures.js';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const DAY = 86_400_000;
const iso = (ms: number): string => new Date(ms).toISOString();
const at = (offsetMs: number): string => iso(T0 + offsetMs);

function make(options: Partial<SchedulerOptions> = {}): Scheduler {
  return new Scheduler({ store: new MemoryStore(), logger: pino({ level: 'silent' }), owner: 'test', random: () => 0.5, ...options });
}

/** Records each run's scheduledAt (ISO) into `into`. */
function recorder(into: string[]): (ctx: JobContext) => void {
  return (ctx) => void into.push(ctx.scheduledAt.toISOString());
}

describe('Scheduler', () => {
  let scheduler: Scheduler;

  useFakeSchedulerClock(T0, () => scheduler);

  it('fires an interval job at exact times, at multiples of its period since the epoch, only once firing started', async () => {
    scheduler = make();
    const runs: string[] = [];
    const info = await scheduler.addJob(recorder(runs), { id: 'tick', every: '5s' });
    expect(info).toMatchObject({ id: 'tick', owner: 'app', trigger: 'every 5s', paused: false, running: 0, attached: true, lastRun: null });
    expect(info.nextRunAt?.toISOString()).toBe(at(5000));
    await vi.advanceTimersByTimeAsync(4000);
    scheduler.startFiring();
    await vi.advanceTimersByTimeAsync(12_000);
    expect(runs).toEqual([at(5000), at(10_000), at(15_000)]);
  });

  it('does not fire before startFiring (plugins not all started)', async () => {
    scheduler = make();
    const runs: string[] = [];
    await scheduler.addJob(recorder(runs), { id: 'tick', every: 1000, coalesce: 'all', misfireGraceTime: null, maxInstances: 5 });
    await vi.advanceTimersByTimeAsync(3500);
    expect(runs).toEqual([]);
    scheduler.startFiring();
    await vi.advanceTimersByTimeAsync(0);
    expect(runs).toEqual([at(1000), at(2000), at(3000)]);
  });

  it('fires a 6-field cron job at exact times in its timezone', async () => {
    vi.setSystemTime(T0 + 3000);
    scheduler = make();
    const runs: string[] = [];
    await scheduler.cron('*/10 * * * * *', { id: 'c' })(recorder(runs));
    const daily: string[] = [];
    await scheduler.addJob(recorder(daily), { id: 'berlin', cron: '0 9 * * *', timezone: 'Europe/Berlin' });
    scheduler.startFiring();
    await vi.advanceTimersByTimeAsync(32_000);
    expect(runs).toEqual([at(10_000), at(20_000), at(30_000)]);
    expect((await scheduler.getJob('berlin'))?.nextRunAt?.toISOString()).toBe('2026-01-01T08:00:00.000Z');
  });

  it('refuses a duplicate id with XCORE_ERR_JOB_CONFLICT and changes nothing', async () => {
    scheduler = make();
    const first: string[] = [];
    const second: string[] = [];
    await scheduler.addJob(recorder(first), { id: 'a', every: '5s', args: [1] });
    await expect(scheduler.addJob(recorder(second), { id: 'a', every: '1s' })).rejects.toMatchObject({ code: 'XCORE_ERR_JOB_CONFLICT' });
    const info = await scheduler.getJob('a');
    expect([info?.trigger, info?.nextRunAt?.toISOString()]).toEqual(['every 5s', at(5000)]);
    scheduler.startFiring();
    await vi.advanceTimersByTimeAsync(5000);
    expect([first, second]).toEqual([[at(5000)], []]);
    await scheduler.addJob(recorder(second), { id: 'a', every: '2s', replaceExisting: true });
    await vi.advanceTimersByTimeAsync(1000);
    expect(second).toEqual([at(6000)]);
  });

  it('rejects bad input with coded errors naming the job', async () => {
    scheduler = make();
    const fn = (): void => undefined;
    await expect(scheduler.addJob(fn, { id: 'z', every: 0 })).rejects.toMatchObject({ code: 'XCORE_ERR_JOB_INVALID', message: expect.stringContaining('"z"') });
    await expect(scheduler.addJob(fn, { id: 'both', every: '1s', cron: '* * * * *' })).rejects.toMatchObject({ code: 'XCORE_ERR_JOB_INVALID', message: expect.stringContaining('every, cron') });
    await expect(scheduler.addJob(fn, { id: 'none' })).rejects.toMatchObject({ code: 'XCORE_ERR_JOB_INVALID' });
    await expect(scheduler.addJob(fn, { id: 'neg', every: '1s', retries: -1 })).rejects.toMatchObject({ code: 'XCORE_ERR_JOB_INVALID', message: expect.stringContaining('retries') });
    await expect(scheduler.addJob(fn, { id: 'negsec', trigger: { type: 'interval', seconds: -5 } })).rejects.toMatchObject({ code: 'XCORE_ERR_JOB_INVALID' });
    await expect(scheduler.addJob(fn, { id: 'badcron', cron: '61 * * * *' })).rejects.toMatchObject({ code: 'XCORE_ERR_CRON_INVALID' });
    await expect(scheduler.addJob(fn, { id: 'badtz', cron: '0 * * * *', timezone: 'Mars/Olympus' })).rejects.toMatchObject({ code: 'XCORE_ERR_TIMEZONE_INVALID' });
    expect(await scheduler.jobs()).toEqual([]);
  });

  it('pause stops firing and resume continues from now without catching up the paused time', async () => {
    scheduler = make();
    const runs: string[] = [];
    await scheduler.addJob(recorder(runs), { id: 'p', every: '5s', coalesce: 'all', misfireGraceTime: null });
    scheduler.startFiring();
    await vi.advanceTimersByTimeAsync(6000);
    expect((await scheduler.pauseJob('p')).paused).toBe(true);
    await vi.advanceTimersByTimeAsync(20_000);
    expect(runs).toEqual([at(5000)]);
    const resumed = await scheduler.resumeJob('p');
    expect([resumed.paused, resumed.nextRunAt?.toISOString()]).toEqual([false, at(30_000)]);
    await vi.advanceTimersByTimeAsync(5000);
    expect(runs).toEqual([at(5000), at(30_000)]);
  });

  it('reschedule keeps the interval phase anchor; modify changes policy and args', async () => {
    scheduler = make();
    const runs: string[] = [];
    const args: unknown[] = [];
    await scheduler.addJob((ctx) => {
      runs.push(ctx.scheduledAt.toISOString());
      args.push(ctx.args[0]);
    }, { id: 'm', every: '5s', args: ['old'] });
    scheduler.startFiring();
    await vi.advanceTimersByTimeAsync(6000);
    const info = await scheduler.rescheduleJob('m', { type: 'interval', seconds: 2 });
    expect([info.trigger, info.nextRunAt?.toISOString()]).toEqual(['every 2s', at(8000)]);
    await scheduler.modifyJob('m', { args: ['new'] });
    await vi.advanceTimersByTimeAsync(4500);
    expect(runs).toEqual([at(5000), at(8000), at(10_000)]);
    expect(args).toEqual(['old', 'new', 'new']);
    await expect(scheduler.modifyJob('nope', { args: [] })).rejects.toMatchObject({ code: 'XCORE_ERR_JOB_NOT_FOUND' });
  });

  it('runJob runs now and resolves to the run record; history is bounded and newest first', async () => {
    scheduler = make();
    let n = 0;
    await scheduler.addJob(() => {
      n += 1;
      if (n === 2) throw new Error('second fails');
    }, { id: 'h', every: '1s', historyLimit: 3 });
    const manual = await scheduler.runJob('h');
    expect(manual).toEqual({ jobId: 'h', scheduledAt: T0, startedAt: T0, finishedAt: T0, status: 'succeeded', attempts: 1, owner: 'test', manual: true });
    scheduler.startFiring();
    await vi.advanceTimersByTimeAsync(1000);
    // The second run (the first scheduled one) failed: recorded after the manual run, newest first.
    const early = await scheduler.history('h', { limit: 10 });
    expect(early.map((r) => [iso(r.scheduledAt), r.status, r.manual === true, r.error ?? null])).toEqual([
      [at(1000), 'failed', false, 'second fails'], [at(0), 'succeeded', true, null],
    ]);
    await vi.advanceTimersByTimeAsync(3000);
    // Bounded at historyLimit 3: the failed run and the manual one were dropped, oldest first.
    const history = await scheduler.history('h', { limit: 10 });
    expect(history.map((r) => [iso(r.scheduledAt), r.status])).toEqual([[at(4000), 'succeeded'], [at(3000), 'succeeded'], [at(2000), 'succeeded']]);
    // limit takes the newest.
    expect((await scheduler.history('h', { limit: 2 })).map((r) => iso(r.scheduledAt))).toEqual([at(4000), at(3000)]);
    const info = await scheduler.getJob('h');
    expect(info?.lastRun).toEqual({ status: 'succeeded', scheduledAt: new Date(T0 + 4000), finishedAt: new Date(T0 + 4000), durationMs: 0 });
    await expect(scheduler.runJob('missing')).rejects.toMatchObject({ code: 'XCORE_ERR_JOB_NOT_FOUND' });
  });

  it('emits typed lifecycle and run events, and calls failure hooks', async () => {
    scheduler = make();
    const events: string[] = [];
    for (const e of ['job.added', 'job.removed', 'job.modified', 'job.paused', 'job.resumed'] as const) scheduler.on(e, (p) => void events.push(`${e}:${p.jobId}`));
    scheduler.on('job.started', (p) => void events.push(`started:${p.jobId}:${p.attempt}`));
    scheduler.on('job.succeeded', (p) => void events.push(`succeeded:${p.jobId}`));
    scheduler.on('job.failed', (p) => void events.push(`failed:${p.jobId}:${(p.error as Error).message}`));
    const failures: string[] = [];
    scheduler.onFailure((f) => void failures.push(`${f.jobId}:${f.record.status}:${f.record.attempts}`));
    await scheduler.addJob(() => undefined, { id: 'ok', every: '1s' });
    await scheduler.addJob(() => {
      throw new Error('boom');
    }, { id: 'bad', every: '1s', retries: 1, retryDelay: 100 });
    scheduler.startFiring();
    await vi.advanceTimersByTimeAsync(1200);
    await scheduler.pauseJob('ok');
    await scheduler.resumeJob('ok');
    await scheduler.modifyJob('ok', { timeout: '1s' });
    await scheduler.removeJob('ok');
    expect(events.filter((e) => e.includes(':ok'))).toEqual([
      'job.added:ok', 'started:ok:1', 'succeeded:ok', 'job.paused:ok', 'job.resumed:ok', 'job.modified:ok', 'job.removed:ok',
    ]);
    expect(events.filter((e) => e.includes(':bad'))).toEqual(['job.added:bad', 'started:bad:1', 'started:bad:2', 'failed:bad:boom']);
    expect(failures).toEqual(['bad:failed:2']);
    expect(await scheduler.getJob('ok')).toBeUndefined();
  });

  it('a job that throws, rejects or times out keeps its schedule, with no unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      scheduler = make();
      const seen: string[] = [];
      await scheduler.addJob((ctx) => {
        seen.push(`sync ${iso(ctx.scheduledAt.getTime())}`);
        throw new Error('sync');
      }, { id: 'sync', every: '1s' });
      await scheduler.addJob(async (ctx) => {
        seen.push(`async ${iso(ctx.scheduledAt.getTime())}`);
        throw new Error('async');
      }, { id: 'async', every: '1s' });
      scheduler.startFiring();
      await vi.advanceTimersByTimeAsync(3000);
      expect(seen).toEqual([`sync ${at(1000)}`, `async ${at(1000)}`, `sync ${at(2000)}`, `async ${at(2000)}`, `sync ${at(3000)}`, `async ${at(3000)}`]);
      expect((await scheduler.history('async')).map((r) => r.status)).toEqual(['failed', 'failed', 'failed']);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('timeout aborts the run signal and records timed_out', async () => {
    scheduler = make();
    let aborted: unknown;
    await scheduler.addJob((ctx) => new Promise<void>((resolve) => {
      ctx.signal.addEventListener('abort', () => {
        aborted = (ctx.signal.reason as { code: string }).code;
        resolve();
      });
    }), { id: 't', every: '10s', timeout: '2s' });
    scheduler.startFiring();
    await vi.advanceTimersByTimeAsync(12_000);
    expect(aborted).toBe('XCORE_ERR_JOB_TIMEOUT');
    const [record] = await scheduler.history('t');
    expect([record?.status, record?.finishedAt! - record?.startedAt!]).toEqual(['timed_out', 2000]);
  });

  it('retries with exponential backoff (equal jitter) and counts attempts', async () => {
    scheduler = make();
    const attempts: string[] = [];
    await scheduler.addJob((ctx) => {
      attempts.push(`${ctx.attempt}@${Date.now() - T0}`);
      throw new Error('nope');
    }, { id: 'r', every: '1m', retries: 3, retryDelay: '1s' });
    scheduler.startFiring();
    await vi.advanceTimersByTimeAsync(70_000);
    // base 1s, random 0.5, equal jitter: 750 ms, 1500 ms, 3000 ms after each failure.
    expect(attempts).toEqual(['1@60000', '2@60750', '3@62250', '4@65250']);
    const [record] = await scheduler.history('r');
    expect([record?.status, record?.attempts]).toEqual(['failed', 4]);
  });

  it('maxInstances: overlap skip emits job.skipped; overlap queue runs when the slot frees', async () => {
    scheduler = make();
    const started: string[] = [];
    const skipped: string[] = [];
    scheduler.on('job.skipped', (p) => void skipped.push(`${p.jobId} ${p.scheduledAt.toISOString()}`));
    const slow = (ctx: JobContext): Promise<void> => {
      started.push(`${ctx.jobId} ${ctx.scheduledAt.toISOString()} @${Date.now() - T0}`);
      return new Promise((resolve) => setTimeout(resolve, 12_000));
    };
    await scheduler.addJob(slow, { id: 'skip', every: '5s' });
    await scheduler.addJob(slow, { id: 'queue', every: '5s', overlap: 'queue' });
    scheduler.startFiring();
    await vi.advanceTimersByTimeAsync(21_000);
    expect(skipped).toEqual([`skip ${at(10_000)}`, `skip ${at(15_000)}`]);
    expect(started).toEqual([
      `skip ${at(5000)} @5000`, `queue ${at(5000)} @5000`,
      `queue ${at(10_000)} @17000`,
      `skip ${at(20_000)} @20000`,
    ]);
    // Newest first: the 5 s run finished at 17 s, after the two skips were recorded.
    expect((await scheduler.history('skip')).map((r) => `${r.status} ${iso(r.scheduledAt)}`)).toEqual([
      `succeeded ${at(5000)}`, `skipped ${at(15_000)}`, `skipped ${at(10_000)}`,
    ]);
  });

  it('coalesce modes through the runner after a simulated downtime (exact counts)', async () => {
    scheduler = make();
    const runs: Record<string, string[]> = { all: [], earliest: [], latest: [], skip: [], grace: [] };
    const missed: Record<string, number> = {};
    const dropped: Record<string, string> = {};
    scheduler.on('job.missed', (p) => {
      missed[p.jobId] = p.count;
      dropped[p.jobId] = `${p.first.toISOString()}..${p.last.toISOString()}`;
    });
    for (const mode of ['all', 'earliest', 'latest', 'skip'] as const) {
      await scheduler.addJob(recorder(runs[mode]!), { id: mode, every: '1s', coalesce: mode, misfireGraceTime: null, maxInstances: 20 });
    }
    await scheduler.addJob(recorder(runs['grace']!), { id: 'grace', every: '1s', coalesce: 'all', misfireGraceTime: '3s', maxInstances: 20 });
    // Down for 10.5 s: nothing ran, the clock moved.
    vi.setSystemTime(T0 + 10_500);
    scheduler.startFiring();
    await vi.advanceTimersByTimeAsync(0);
    const seconds = (from: number, to: number): string[] => Array.from({ length: to - from + 1 }, (_, i) => at((from + i) * 1000));
    expect(runs).toEqual({
      all: seconds(1, 10),
      earliest: [at(1000)],
      latest: [at(10_000)],
      skip: [],
      grace: seconds(8, 10),
    });
    expect(missed).toEqual({ earliest: 9, latest: 9, skip: 10, grace: 7 });
    // Which occurrences were dropped: the oldest and the newest of them.
    expect(dropped).toEqual({
      earliest: `${at(2000)}..${at(10_000)}`, latest: `${at(1000)}..${at(9000)}`, skip: `${at(1000)}..${at(10_000)}`, grace: `${at(1000)}..${at(7000)}`,
    });
    // Back on schedule afterwards.
    await vi.advanceTimersByTimeAsync(1000);
    expect(runs['skip']).toEqual([at(11_000)]);
  });

  it('stop drains: a finishing job completes, a long one is aborted at the deadline and recorded', async () => {
    scheduler = make();
    let longSignal: AbortSignal | undefined;
    await scheduler.addJob(() => new Promise((resolve) => setTimeout(resolve, 500)), { id: 'short', every: '5s' });
    await scheduler.addJob((ctx) => {
      longSignal = ctx.signal;
      return new Promise(() => undefined);
    }, { id: 'long', every: '5s' });
    scheduler.startFiring();
    await vi.advanceTimersByTimeAsync(5000);
    const stopping = scheduler.stop({ deadlineMs: 2000 });
    await vi.advanceTimersByTimeAsync(1999);
    expect(longSignal?.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await stopping;
    expect((longSignal?.reason as { code: string }).code).toBe('XCORE_ERR_JOB_ABORTED');
    const [short] = await scheduler.history('short');
    const [long] = await scheduler.history('long');
    expect([short?.status, long?.status, long?.finishedAt! - T0]).toEqual(['succeeded', 'aborted', 7000]);
    await expect(scheduler.addJob(() => undefined, { id: 'late', every: '1s' })).rejects.toMatchObject({ code: 'XCORE_ERR_SCHEDULER_STOPPED' });
  });

  it('jitter delays a run but never past the next fire time', async () => {
    scheduler = make({ random: () => 0.99 });
    const runs: number[] = [];
    await scheduler.addJob(() => void runs.push(Date.now() - T0), { id: 'j', every: '10s', jitter: '30s' });
    scheduler.startFiring();
    await vi.advanceTimersByTimeAsync(35_000);
    // window = min(30 s, next - scheduledAt - 1 ms) = 9999 ms; delay = floor(0.99 * 10000) = 9900 ms.
    expect(runs).toEqual([19_900, 29_900]);
  });
  it('a jitter delay past 2^31-1 ms is waited in full: a date job with jitter 30d runs 27 days late at random 0.9', async () => {
    // Daily polls and hourly overdue checks: the defaults would be 430k fake timer firings in 25 days.
    scheduler = make({ random: () => 0.9, pollMs: DAY, overdue: { checkIntervalMs: 3_600_000 } });
    const runs: number[] = [];
    await scheduler.addJob(() => void runs.push(Date.now() - T0), { id: 'once', runDate: T0 + 1000, jitter: '30d' });
    scheduler.startFiring();
    // No next occurrence, so the window is the whole 30 days: delay = floor(0.9 * (30 d + 1 ms)) = 27 d.
    await vi.advanceTimersByTimeAsync(1000 + 27 * DAY - 1);
    expect(runs).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(runs).toEqual([1000 + 27 * DAY]);
  });

  it('stop while a long jitter delay is mid-chain drops the occurrence: it never runs', async () => {
    // Daily polls and hourly overdue checks: the defaults would be 430k fake timer firings in 25 days.
    scheduler = make({ random: () => 0.9, pollMs: DAY, overdue: { checkIntervalMs: 3_600_000 } });
    const runs: number[] = [];
    await scheduler.addJob(() => void runs.push(Date.now() - T0), { id: 'once', runDate: T0 + 1000, jitter: '30d' });
    scheduler.startFiring();
    await vi.advanceTimersByTimeAsync(1000 + 2 ** 31); // past the first link of the 27-day wait
    await scheduler.stop({ deadlineMs: 0 });
    await vi.advanceTimersByTimeAsync(30 * DAY);
    expect([runs, vi.getTimerCount()]).toEqual([[], 0]);
  });

  it('a drain deadline past 2^31-1 ms is honoured: stop({ deadlineMs: 30 d }) aborts a stuck run at 30 days', async () => {
    scheduler = make({ pollMs: DAY, overdue: { checkIntervalMs: 3_600_000 } });
    let signal: AbortSignal | undefined;
    await scheduler.addJob((ctx) => {
      signal = ctx.signal;
      return new Promise(() => undefined);
    }, { id: 'stuck', every: '1s' });
    scheduler.startFiring();
    await vi.advanceTimersByTimeAsync(1000);
    const stopping = scheduler.stop({ deadlineMs: 30 * DAY });
    await vi.advanceTimersByTimeAsync(30 * DAY - 1);
    expect(signal?.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await stopping;
    const [record] = await scheduler.history('stuck');
    expect([record?.status, record?.finishedAt! - T0]).toEqual(['aborted', 1000 + 30 * DAY]);
  });

  it('interval(spec, opts)(fn) registers like addJob; failures reach the app event bus', async () => {
    const forwarded: string[] = [];
    const bus = createEventBus(pino({ level: 'silent' }));
    bus.on('scheduler.job.failed', ({ jobId }) => void forwarded.push(`scheduler.job.failed:${jobId}`));
    scheduler = make({ events: bus });
    const runs: string[] = [];
    const info = await scheduler.interval({ seconds: 2 }, { id: 'helper' })(recorder(runs));
    expect([info.id, info.trigger]).toEqual(['helper', 'every 2s']);
    await scheduler.interval('3s', { id: 'failing' })(() => {
      throw new Error('x');
    });
    scheduler.startFiring();
    await vi.advanceTimersByTimeAsync(4000);
    expect(runs).toEqual([at(2000), at(4000)]);
    expect(forwarded).toEqual(['scheduler.job.failed:failing']);
    await expect(scheduler.history('helper', { limit: 0 })).rejects.toMatchObject({ code: 'XCORE_ERR_JOB_INVALID' });
  });

  it('every run outcome reaches the app bus as scheduler.job.<status>, once per run after its last retry', async () => {
    const bus = createEventBus(pino({ level: 'silent' }));
    const seen: string[] = [];
    const events = ['succeeded', 'failed', 'timed_out', 'skipped', 'missed'] as const;
    for (const status of events) {
      bus.on(`scheduler.job.${status}`, (p) => {
        const detail = 'record' in p ? `${p.record.status}/${p.record.attempts}` : 'count' in p ? `count ${p.count}` : p.reason;
        seen.push(`${status} ${p.jobId} ${detail}`);
      });
    }
    scheduler = make({ events: bus });
    await scheduler.addJob(() => undefined, { id: 'ok', every: '10s' });
    await scheduler.addJob(() => {
      throw new Error('boom');
    }, { id: 'flaky', every: '10s', retries: 2, retryDelay: 100 });
    await scheduler.addJob(() => new Promise(() => undefined), { id: 'slow', every: '10s', timeout: 15_000, maxInstances: 1 });
    await scheduler.addJob(() => undefined, { id: 'late', every: '1s', misfireGraceTime: 500, coalesce: 'latest' });
    await vi.advanceTimersByTimeAsync(2600);
    scheduler.startFiring();
    await vi.advanceTimersByTimeAsync(25_500 - 2600);
    const notLate = seen.filter((line) => !line.includes(' late ') || line.startsWith('missed'));
    // Runs at 10 s and 20 s (the 20 s run of "slow" skipped: its 10 s run holds the slot until it times out at 25 s).
    expect(notLate.sort()).toEqual([
      'failed flaky failed/3',
      'failed flaky failed/3',
      'missed late count 2',
      'skipped slow max_instances',
      'succeeded ok succeeded/1',
      'succeeded ok succeeded/1',
      'timed_out slow timed_out/1',
    ]);
  });

  it('builds no run payload for the app bus when nothing listens to that outcome', async () => {
    const inner = createEventBus(pino({ level: 'silent' }));
    const emitted: string[] = [];
    const bus: EventBus = { ...inner, emit: (event, payload) => { emitted.push(event); inner.emit(event, payload); } };
    bus.on('scheduler.job.failed', () => undefined);
    scheduler = make({ events: bus });
    await scheduler.addJob(() => undefined, { id: 'ok', every: '1s' });
    await scheduler.addJob(() => {
      throw new Error('boom');
    }, { id: 'bad', every: '2s' });
    scheduler.startFiring();
    await vi.advanceTimersByTimeAsync(4000);
    expect(emitted.sort()).toEqual(['scheduler.job.failed', 'scheduler.job.failed'] satisfies EventName[]);
  });
});

describe('Scheduler.onRunFinished', () => {
  let scheduler: Scheduler;

  useFakeSchedulerClock(T0, () => scheduler);

  it('publishes each finished run once with its history record, the job owner, the thrown value and the return value', async () => {
    scheduler = make();
    const published: { jobId: string; status: string; jobOwner: string; error?: unknown; result?: unknown; scheduledAt: string }[] = [];
    const off = scheduler.onRunFinished(({ record, jobOwner, error, result }) => {
      published.push({ jobId: record.jobId, status: record.status, jobOwner, scheduledAt: iso(record.scheduledAt), ...(error === undefined ? {} : { error }), ...(result === undefined ? {} : { result }) });
    });
    const boom = new Error('boom');
    await scheduler.addJob(() => ({ n: 1 }), { id: 'ok', every: '1s' });
    await scheduler.addJob(() => { throw boom; }, { id: 'bad', every: '2s' });
    // Never settles: its second occurrence finds maxInstances (1) taken and is skipped.
    await scheduler.addJob(() => new Promise(() => {}), { id: 'stuck', every: '3s' });
    scheduler.startFiring();
    await vi.advanceTimersByTimeAsync(6000);
    const byJob = (id: string): typeof published => published.filter((p) => p.jobId === id);
    expect(byJob('ok')).toEqual([1, 2, 3, 4, 5, 6].map((s) => ({ jobId: 'ok', status: 'succeeded', jobOwner: 'app', scheduledAt: at(s * 1000), result: { n: 1 } })));
    expect(byJob('bad')).toEqual([2, 4, 6].map((s) => ({ jobId: 'bad', status: 'failed', jobOwner: 'app', scheduledAt: at(s * 1000), error: boom })));
    expect(byJob('stuck')).toEqual([{ jobId: 'stuck', status: 'skipped', jobOwner: 'app', scheduledAt: at(6000) }]);
    const history = await scheduler.history('bad');
    expect(history.map((r) => iso(r.scheduledAt))).toEqual([at(6000), at(4000), at(2000)]);
    off();
    await scheduler.runJob('ok');
    expect(byJob('ok')).toHaveLength(6);
  });

  it('publishes a manual run with the record runJob resolves to', async () => {
    scheduler = make();
    const records: unknown[] = [];
    scheduler.onRunFinished(({ record }) => records.push(record));
    await scheduler.addJob(() => 'done', { id: 'once', every: '1h' });
    scheduler.startFiring();
    const record = await scheduler.runJob('once');
    expect(record).toMatchObject({ jobId: 'once', status: 'succeeded', manual: true });
    expect(records).toEqual([record]);
  });
});
