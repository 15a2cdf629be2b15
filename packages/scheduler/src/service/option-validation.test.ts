/**
 * Every option a caller gives is validated before anything is stored, by the zod schemas the YAML
 * config uses: a refused value is a coded error naming the job, the option, its allowed range and
 * the value found, and the store is left as it was.
 */
import { afterEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import { MemoryStore } from '../stores/memory-store.js';
import { jobConfigSchema } from '../config/scheduler-config.js';
import { Scheduler, type SchedulerOptions } from './scheduler.js';
import type { AddJobOptions } from './job-options.js';

const logger = pino({ level: 'silent' });
const noop = (): void => undefined;

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    return (error as { code?: string }).code ?? `bare ${(error as Error).name}`;
  }
  return 'accepted';
}

async function rejection(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    return { code: (error as { code?: string }).code ?? `bare ${(error as Error).name}`, message: (error as Error).message };
  }
  return { code: 'accepted', message: '' };
}

describe('addJob validates every option before storing anything', () => {
  let scheduler: Scheduler | undefined;
  const make = (): Scheduler => (scheduler = new Scheduler({ store: new MemoryStore(), logger, owner: 'test' }));
  afterEach(async () => {
    await scheduler?.stop({ deadlineMs: 0 });
  });

  it.each([
    ['startDate: 1e20', { every: '1s', startDate: 1e20 }],
    ['startDate: -1e20', { every: '1s', startDate: -1e20 }],
    ['endDate past year 9999', { cron: '* * * * *', endDate: '+010000-01-01T00:00:00Z' }],
    ['runDate: an invalid Date', { runDate: new Date(Number.NaN) }],
    ['runDate: 8.64e15 + 1', { runDate: 8.64e15 + 1 }],
    ['trigger.startDate as text before year 0', { trigger: { type: 'interval', seconds: 1, startDate: '-000001-01-01T00:00:00Z' } }],
    ['every: null', { every: null }],
    ['every: NaN', { every: Number.NaN }],
    ['every: { weeks: 1e300 }', { every: { weeks: 1e300 } }],
    ['recover: "yes"', { every: '1s', recover: 'yes' }],
    ['historyLimit: 3e7', { every: '1s', historyLimit: 3e7 }],
    ['timeout: 0', { every: '1s', timeout: 0 }],
    ['timeout: "0s"', { every: '1s', timeout: '0s' }],
    ['maxCatchUp: 1e9', { every: '1s', maxCatchUp: 1e9 }],
    ['maxInstances: Infinity', { every: '1s', maxInstances: Number.POSITIVE_INFINITY }],
    ['retries: 1.5', { every: '1s', retries: 1.5 }],
    ['jitter: "9999999999999999999999w"', { every: '1s', jitter: '9999999999999999999999w' }],
    ['an unknown option', { every: '1s', timout: '5s' }],
    ['removable: "yes"', { every: '1s', removable: 'yes' }],
    ['removable: 1', { every: '1s', removable: 1 }],
  ])('refuses %s with XCORE_ERR_JOB_INVALID and stores nothing', async (_name, extra) => {
    const s = make();
    const { code, message } = await rejection(s.addJob(noop, { id: 'job', ...(extra as object) } as AddJobOptions));
    expect(code).toBe('XCORE_ERR_JOB_INVALID');
    expect(message).toMatch(/^Job "job": .*(expected .*found |unknown option).*\. Nothing was stored\.$/);
    expect(await s.jobs()).toEqual([]);
    expect(await s.getJob('job')).toBeUndefined();
  });

  it('says which option of which job, the allowed range and what was found, once', async () => {
    const s = make();
    expect((await rejection(s.addJob(noop, { id: 'nightly', every: '1s', timout: '5s' } as AddJobOptions))).message).toBe(
      'Job "nightly": timout (did you mean "timeout"?): unknown option; known options: id, trigger, every, cron, timezone, runDate, startDate, ' +
        'endDate, maxRuns, args, maxInstances, coalesce, misfireGraceTime, maxCatchUp, timeout, retries, retryDelay, jitter, overlap, recover, ' +
        'historyLimit, replaceExisting, removable, executor, module, export, env. Nothing was stored.',
    );
    expect((await rejection(s.addJob(noop, { id: 'nightly', every: '1s', historyLimit: 3e7 }))).message).toBe(
      'Job "nightly": historyLimit: expected a whole number from 0 to 10000, found 30000000. Nothing was stored.',
    );
    expect((await rejection(s.addJob(noop, { id: 'nightly', every: '1s', startDate: 1e20 }))).message).toBe(
      'Job "nightly": startDate: expected a Date, epoch milliseconds or ISO 8601 text like "2026-01-31T09:00:00Z", ' +
        'from 0000-01-01T00:00:00.000Z to 9999-12-31T23:59:59.999Z, found 100000000000000000000. Nothing was stored.',
    );
    expect((await rejection(s.addJob(noop, { id: 'nightly', every: '1s', timeout: 0 }))).message).toBe(
      'Job "nightly": timeout: expected a duration from 1ms to 3650d (milliseconds or text like "30s", "5m", "1h30m"), or null for none, found 0. Nothing was stored.',
    );
  });

  it('accepts every date form inside the range, at both ends', async () => {
    const s = make();
    await s.addJob(noop, { id: 'a', runDate: new Date('9999-12-31T23:59:59.999Z') });
    await s.addJob(noop, { id: 'b', every: '1h', startDate: '0000-01-01T00:00:00Z' });
    await s.addJob(noop, { id: 'c', cron: '0 0 * * *', startDate: Date.parse('2030-01-01T00:00:00Z'), endDate: '2031-01-01T00:00:00Z' });
    expect((await s.jobs()).map((j) => [j.id, j.nextRunAt?.toISOString() ?? null])).toEqual([
      ['a', '9999-12-31T23:59:59.999Z'],
      ['b', expect.any(String)],
      ['c', '2030-01-01T00:00:00.000Z'],
    ]);
  });

  it('validates modifyJob and rescheduleJob the same way, changing nothing when refused', async () => {
    const s = make();
    const before = await s.addJob(noop, { id: 'job', every: '1m' });
    expect((await rejection(s.modifyJob('job', { historyLimit: 3e7 }))).code).toBe('XCORE_ERR_JOB_INVALID');
    expect((await rejection(s.rescheduleJob('job', { type: 'date', runDate: 1e20 }))).code).toBe('XCORE_ERR_JOB_INVALID');
    expect((await rejection(s.modifyJob('job', { every: null as never }))).code).toBe('XCORE_ERR_JOB_INVALID');
    // Only the owner decides whether operators may remove its job, when it registers it.
    expect((await rejection(s.modifyJob('job', { removable: true } as never))).message).toMatch(/^Job "job": removable: unknown option/);
    expect(await s.getJob('job')).toEqual(before);
  });

  it('accepts removable: true or false (the operator view shows it)', async () => {
    const s = make();
    await s.addJob(noop, { id: 'kept', every: '1m', removable: false });
    await s.addJob(noop, { id: 'disposable', every: '1m', removable: true });
    expect((await s.operator.getJob('kept')).removable).toBe(false);
    expect((await s.operator.getJob('disposable')).removable).toBe(true);
  });

  it('refuses options that cannot be read (a throwing getter, a revoked Proxy) with a coded error', async () => {
    const s = make();
    const { proxy, revoke } = Proxy.revocable({ id: 'p', every: '1s' }, {});
    revoke();
    const getter = { id: 'g', get every(): string { throw new Error('getter threw'); } };
    expect((await rejection(s.addJob(noop, proxy as AddJobOptions))).code).toBe('XCORE_ERR_JOB_INVALID');
    expect((await rejection(s.addJob(noop, getter as AddJobOptions))).message).toBe(
      'Job "g": the options could not be read (getter threw); pass a plain object. Nothing was stored.',
    );
    expect(await s.jobs()).toEqual([]);
  });
});

describe('options that would make a huge message', () => {
  it('refuses a string given as helper options at once, not as one unknown key per character', async () => {
    const scheduler = new Scheduler({ store: new MemoryStore(), logger, owner: 'test' });
    const started = Date.now();
    const { code, message } = await rejection(scheduler.cron('* * * * *', 'x'.repeat(200_000) as never)(noop));
    expect([code, message.length < 300, Date.now() - started < 5_000]).toEqual(['XCORE_ERR_JOB_INVALID', true, true]);
    await scheduler.stop({ deadlineMs: 0 });
  });

  it('lists at most ten problems and counts the rest', async () => {
    const scheduler = new Scheduler({ store: new MemoryStore(), logger, owner: 'test' });
    const unknown = Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`k${i}`, i]));
    const { code, message } = await rejection(scheduler.addJob(noop, { id: 'big', every: '1s', ...unknown } as AddJobOptions));
    expect(code).toBe('XCORE_ERR_JOB_INVALID');
    expect(message).toMatch(/^Job "big": k0 .*, k9 [^,]*: unknown options; known options: id, trigger, every, [^;]*; and 19990 more\. Nothing was stored\.$/);
    expect(message.split('; known options').length - 1).toBe(1);
    await scheduler.stop({ deadlineMs: 0 });
  });
});

describe('new Scheduler() validates its options like services.scheduler', () => {
  const make = (options: Record<string, unknown>) => () =>
    new Scheduler({ store: new MemoryStore(), logger, ...options } as SchedulerOptions);

  it.each([
    ['leaseMs: 0', { leaseMs: 0 }],
    ['leaseMs: NaN', { leaseMs: Number.NaN }],
    ['pollMs: -1', { pollMs: -1 }],
    ['pollMs: 0 (a busy loop)', { pollMs: 0 }],
    ['claimWindowMs: 1e300', { claimWindowMs: 1e300 }],
    ['batchSize: 0.5', { batchSize: 0.5 }],
    ['defaults.historyLimit: 3e7', { defaults: { historyLimit: 3e7 } }],
    ['owner with a space', { owner: 'web 1' }],
    ['an unknown option', { leaseMS: 5000 }],
    ['a store that is not one', { store: {} }],
  ])('refuses %s with XCORE_ERR_SCHEDULER_OPTIONS_INVALID', (_name, options) => {
    expect(codeOf(make(options))).toBe('XCORE_ERR_SCHEDULER_OPTIONS_INVALID');
  });

  it('says the option, its range and the value', () => {
    let message = '';
    try {
      make({ leaseMs: 0 })();
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toBe(
      'Scheduler options: leaseMs: expected a duration from 1s to 1d (milliseconds or text like "30s", "5m", "1h30m"), found 0. Fix them where the Scheduler is created.',
    );
  });

  it('accepts durations as text, like the config', () => {
    expect(codeOf(make({ leaseMs: '30s', pollMs: '1m', claimWindowMs: '10ms' }))).toBe('accepted');
  });
});

describe('the API and the YAML config accept and refuse the same values (one schema)', () => {
  const values: Array<Record<string, unknown>> = [
    { historyLimit: 3e7 }, { historyLimit: 10_000 }, { timeout: 0 }, { timeout: '1s' }, { timeout: null }, { recover: 'yes' },
    { maxInstances: 0 }, { maxInstances: 10_001 }, { retries: 1.5 }, { jitter: -1 }, { misfireGraceTime: '1h' }, { maxCatchUp: 1e9 },
    { retryDelay: '99999999999999999999d' }, { coalesce: 'most' }, { overlap: 'queue' },
  ];
  const triggers: Array<Record<string, unknown>> = [
    { type: 'interval', seconds: 1, startDate: 1e20 }, { type: 'interval', seconds: 1, startDate: '2026-01-01T00:00:00Z' },
    { type: 'date', runDate: -1e20 }, { type: 'date', runDate: '2026-01-01T00:00:00Z' }, { type: 'interval' },
    { type: 'cron', expression: '0 * * * *', endDate: 8.64e15 }, { type: 'interval', minutes: 1, maxRuns: 0 },
  ];

  it('for policy values and triggers', async () => {
    const scheduler = new Scheduler({ store: new MemoryStore(), logger, owner: 'test' });
    let i = 0;
    for (const extra of [...values.map((v) => ({ trigger: { type: 'interval', seconds: 1 }, ...v })), ...triggers.map((t) => ({ trigger: t }))]) {
      const id = `job-${i++}`;
      const yaml = jobConfigSchema.safeParse({ id, func: './jobs.ts:run', ...extra }).success;
      const api = (await rejection(scheduler.addJob(noop, { id, ...extra } as AddJobOptions))).code === 'accepted';
      expect([JSON.stringify(extra), api]).toEqual([JSON.stringify(extra), yaml]);
    }
    await scheduler.stop({ deadlineMs: 0 });
  });
});
