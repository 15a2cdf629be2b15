import { describe, expect, it } from 'vitest';
import { BUILTIN_DEFAULTS, firstRunAt, internPolicy, resolveDefaults, toTriggerSpec, type AddJobOptions, type JobPolicyOptions } from './job-options.js';
import { parseAddJobOptions, parseJobChanges } from './parse-options.js';

/** The trigger spec `addJob(options)` stores, through the same validation. */
const spec = (o: AddJobOptions, timezone = 'UTC') => toTriggerSpec(parseAddJobOptions(o, (id) => id), timezone);
const policy = (o: JobPolicyOptions) => resolveDefaults(BUILTIN_DEFAULTS, parseJobChanges(o, 'j'));

describe('job options', () => {
  it('sums interval units and accepts duration text', () => {
    expect(spec({ id: 'a', every: { weeks: 1, days: 1, hours: 1, minutes: 1, seconds: 1, milliseconds: 1 } })).toMatchObject({ everyMs: 694_861_001 });
    expect(spec({ id: 'b', every: '1h30m' })).toMatchObject({ everyMs: 5_400_000 });
    expect(spec({ id: 'c', every: 250 })).toMatchObject({ everyMs: 250 });
    expect(() => spec({ id: 'j', every: {} })).toThrow(/Job "j": every: expected a period from 1ms to 3650d \(the units add up; set at least one, e.g. { seconds: 30 }\), found no unit above 0/);
    expect(() => spec({ id: 'j', every: 'soon' })).toThrow(/Job "j": every: expected a period from 1ms to 3650d.*found "soon"/);
  });

  it('shares one frozen trigger object between jobs with the same unbounded trigger, not bounded ones', () => {
    const a = spec({ id: 'a', every: 1000 });
    expect(spec({ id: 'b', every: '1s' })).toBe(a);
    expect(spec({ id: 'c', trigger: { type: 'interval', seconds: 1 } })).toBe(a);
    expect(spec({ id: 'd', every: 2000 })).not.toBe(a);
    const cron = spec({ id: 'e', cron: '* * * * * *' });
    expect(spec({ id: 'f', cron: '* * * * * *' })).toBe(cron);
    expect(spec({ id: 'g', cron: '* * * * * *' }, 'Europe/Berlin')).not.toBe(cron);
    const bounded = spec({ id: 'h', every: 1000, startDate: 5000 });
    expect(bounded).toEqual({ type: 'interval', everyMs: 1000, startDate: 5000 });
    expect(spec({ id: 'i', every: 1000, startDate: 5000 })).not.toBe(bounded);
    expect(Object.isFrozen(a) && Object.isFrozen(cron) && Object.isFrozen(bounded)).toBe(true);
  });

  it('builds each trigger kind, with bounds from the trigger or the options, and the default timezone', () => {
    expect(spec({ id: 'a', every: '5s', maxRuns: 3 })).toEqual({ type: 'interval', everyMs: 5000, maxRuns: 3 });
    expect(spec({ id: 'b', cron: '0 9 * * *' }, 'Europe/Berlin')).toEqual({ type: 'cron', expression: '0 9 * * *', timezone: 'Europe/Berlin' });
    expect(spec({ id: 'c', runDate: '2026-05-01T10:00:00Z' })).toEqual({ type: 'date', runDate: Date.parse('2026-05-01T10:00:00Z') });
    expect(spec({ id: 'd', startDate: '2026-01-01T00:00:00Z', trigger: { type: 'interval', minutes: 1, endDate: new Date('2026-02-01T00:00:00Z') } })).toEqual({
      type: 'interval', everyMs: 60_000, startDate: Date.parse('2026-01-01T00:00:00Z'), endDate: Date.parse('2026-02-01T00:00:00Z'),
    });
    expect(() => spec({ id: 'e', every: '1s', startDate: '2026-02-01T00:00:00Z', endDate: '2026-01-01T00:00:00Z' })).toThrow(/endDate is before startDate/);
    expect(() => spec({ id: 'e', startDate: '2026-02-01T00:00:00Z', trigger: { type: 'interval', minutes: 1, endDate: '2026-01-01T00:00:00Z' } })).toThrow(/endDate .* is before startDate/);
    expect(() => spec({ id: 'f', runDate: 'next tuesday' })).toThrow(/Job "f": runDate: expected a Date, epoch milliseconds or ISO 8601 text .* found "next tuesday"/);
  });

  it('resolves policy over defaults in ms and interns equal policies into one frozen object', () => {
    const d = policy({ timeout: '30s', misfireGraceTime: null, retries: 2, retryDelay: '2s', overlap: 'queue' });
    expect(d).toEqual({ ...BUILTIN_DEFAULTS, timeoutMs: 30_000, misfireGraceTimeMs: null, retries: 2, retryDelayMs: 2000, overlap: 'queue' });
    const p1 = internPolicy(d);
    const p2 = internPolicy(policy({ timeout: 30_000, misfireGraceTime: null, retries: 2, retryDelay: 2000, overlap: 'queue' }));
    expect(p1).toBe(p2);
    expect(Object.isFrozen(p1)).toBe(true);
    expect(() => policy({ maxInstances: 0 })).toThrow(/Job "j": maxInstances: expected a whole number from 1 to 10000, found 0/);
    expect(() => policy({ coalesce: 'most' as never })).toThrow(/coalesce: expected one of "all", "earliest", "latest", "skip", found "most"/);
  });

  it('first run: an interval one period after registration, a past date at once', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(firstRunAt({ type: 'interval', everyMs: 60_000 }, now, now, 0)).toBe(now + 60_000);
    expect(firstRunAt({ type: 'date', runDate: now - 5000 }, now, now, 0)).toBe(now - 5000);
    expect(firstRunAt({ type: 'cron', expression: '0 * * * *', timezone: 'UTC' }, now + 1, now, 0)).toBe(now + 3_600_000);
  });
});
