import { describe, expect, it } from 'vitest';
import { BUILTIN_DEFAULTS, firstRunAt, internPolicy, intervalMs, resolveDefaults, toTriggerSpec } from './job-options.js';

describe('job options', () => {
  it('sums interval units and accepts duration text', () => {
    expect(intervalMs({ weeks: 1, days: 1, hours: 1, minutes: 1, seconds: 1, milliseconds: 1 }, 'j')).toBe(694_861_001);
    expect(intervalMs('1h30m', 'j')).toBe(5_400_000);
    expect(intervalMs(250, 'j')).toBe(250);
    expect(() => intervalMs({}, 'j')).toThrow(/Job "j": the interval is zero/);
    expect(() => intervalMs('soon', 'j')).toThrow(/non-negative duration/);
  });

  it('shares one frozen trigger object between jobs with the same unbounded trigger, not bounded ones', () => {
    const a = toTriggerSpec({ id: 'a', every: 1000 }, 'a', 'UTC');
    expect(toTriggerSpec({ id: 'b', every: '1s' }, 'b', 'UTC')).toBe(a);
    expect(toTriggerSpec({ id: 'c', trigger: { type: 'interval', seconds: 1 } }, 'c', 'UTC')).toBe(a);
    expect(toTriggerSpec({ id: 'd', every: 2000 }, 'd', 'UTC')).not.toBe(a);
    const cron = toTriggerSpec({ id: 'e', cron: '* * * * * *' }, 'e', 'UTC');
    expect(toTriggerSpec({ id: 'f', cron: '* * * * * *' }, 'f', 'UTC')).toBe(cron);
    expect(toTriggerSpec({ id: 'g', cron: '* * * * * *' }, 'g', 'Europe/Berlin')).not.toBe(cron);
    const bounded = toTriggerSpec({ id: 'h', every: 1000, startDate: 5000 }, 'h', 'UTC');
    expect(bounded).toEqual({ type: 'interval', everyMs: 1000, startDate: 5000 });
    expect(toTriggerSpec({ id: 'i', every: 1000, startDate: 5000 }, 'i', 'UTC')).not.toBe(bounded);
    expect(Object.isFrozen(a) && Object.isFrozen(cron) && Object.isFrozen(bounded)).toBe(true);
  });

  it('builds each trigger kind, with bounds from the trigger or the options, and the default timezone', () => {
    expect(toTriggerSpec({ id: 'a', every: '5s', maxRuns: 3 }, 'a', 'UTC')).toEqual({ type: 'interval', everyMs: 5000, maxRuns: 3 });
    expect(toTriggerSpec({ id: 'b', cron: '0 9 * * *' }, 'b', 'Europe/Berlin')).toEqual({ type: 'cron', expression: '0 9 * * *', timezone: 'Europe/Berlin' });
    expect(toTriggerSpec({ id: 'c', runDate: '2026-05-01T10:00:00Z' }, 'c', 'UTC')).toEqual({ type: 'date', runDate: Date.parse('2026-05-01T10:00:00Z') });
    expect(toTriggerSpec({ id: 'd', startDate: '2026-01-01T00:00:00Z', trigger: { type: 'interval', minutes: 1, endDate: new Date('2026-02-01T00:00:00Z') } }, 'd', 'UTC')).toEqual({
      type: 'interval', everyMs: 60_000, startDate: Date.parse('2026-01-01T00:00:00Z'), endDate: Date.parse('2026-02-01T00:00:00Z'),
    });
    expect(() => toTriggerSpec({ id: 'e', every: '1s', startDate: '2026-02-01T00:00:00Z', endDate: '2026-01-01T00:00:00Z' }, 'e', 'UTC')).toThrow(/endDate is before startDate/);
    expect(() => toTriggerSpec({ id: 'f', runDate: 'next tuesday' }, 'f', 'UTC')).toThrow(/runDate must be a Date/);
  });

  it('resolves policy over defaults in ms and interns equal policies into one frozen object', () => {
    const d = resolveDefaults(BUILTIN_DEFAULTS, { timeout: '30s', misfireGraceTime: null, retries: 2, retryDelay: '2s', overlap: 'queue' }, 'j');
    expect(d).toEqual({ ...BUILTIN_DEFAULTS, timeoutMs: 30_000, misfireGraceTimeMs: null, retries: 2, retryDelayMs: 2000, overlap: 'queue' });
    const p1 = internPolicy(d);
    const p2 = internPolicy(resolveDefaults(BUILTIN_DEFAULTS, { timeout: 30_000, misfireGraceTime: null, retries: 2, retryDelay: 2000, overlap: 'queue' }, 'k'));
    expect(p1).toBe(p2);
    expect(Object.isFrozen(p1)).toBe(true);
    expect(() => resolveDefaults(BUILTIN_DEFAULTS, { maxInstances: 0 }, 'j')).toThrow(/Job "j": maxInstances must be an integer >= 1, got 0/);
    expect(() => resolveDefaults(BUILTIN_DEFAULTS, { coalesce: 'most' as never }, 'j')).toThrow(/coalesce must be one of/);
  });

  it('first run: an interval one period after registration, a past date at once', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(firstRunAt({ type: 'interval', everyMs: 60_000 }, now, now, 0)).toBe(now + 60_000);
    expect(firstRunAt({ type: 'date', runDate: now - 5000 }, now, now, 0)).toBe(now - 5000);
    expect(firstRunAt({ type: 'cron', expression: '0 * * * *', timezone: 'UTC' }, now + 1, now, 0)).toBe(now + 3_600_000);
  });
});
