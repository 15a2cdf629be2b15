import { describe, expect, it } from 'vitest';
import { nextFireTime } from './next-fire-time.js';
import type { TriggerSpec } from './trigger.js';

const at = (iso: string): number => Date.parse(iso);
const iso = (t: number | null): string | null => (t === null ? null : new Date(t).toISOString());

describe('nextFireTime: interval', () => {
  const every5s: TriggerSpec = { type: 'interval', everyMs: 5_000 };

  it('is anchored at state.anchor, first run one period after it', () => {
    expect(nextFireTime(every5s, 12_300, { anchor: 1_000, runs: 0 })).toBe(16_000);
    expect(nextFireTime(every5s, 16_000, { anchor: 1_000, runs: 0 })).toBe(21_000);
    expect(nextFireTime(every5s, 1_000, { anchor: 1_000, runs: 0 })).toBe(6_000);
    expect(nextFireTime(every5s, 0, { anchor: 1_000, runs: 0 })).toBe(6_000);
  });

  it('stays on its phase after a year of downtime (O(1))', () => {
    const spec: TriggerSpec = { type: 'interval', everyMs: 1_000 };
    const state = { anchor: at('2025-01-01T00:00:00.250Z'), runs: 0 };
    expect(iso(nextFireTime(spec, at('2026-01-01T00:00:00.500Z'), state))).toBe('2026-01-01T00:00:01.250Z');
  });

  it('anchors at startDate when set, with the first run at startDate', () => {
    const spec: TriggerSpec = { type: 'interval', everyMs: 60_000, startDate: at('2026-01-01T10:00:00Z') };
    const state = { anchor: at('2025-06-01T00:00:07Z'), runs: 0 };
    expect(iso(nextFireTime(spec, at('2026-01-01T00:00:00Z'), state))).toBe('2026-01-01T10:00:00.000Z');
    expect(iso(nextFireTime(spec, at('2026-01-01T10:00:00Z'), state))).toBe('2026-01-01T10:01:00.000Z');
    expect(iso(nextFireTime(spec, at('2026-01-01T10:05:30Z'), state))).toBe('2026-01-01T10:06:00.000Z');
  });

  it('stops after endDate (inclusive) and at maxRuns', () => {
    const spec: TriggerSpec = { type: 'interval', everyMs: 10_000, startDate: 100_000, endDate: 120_000, maxRuns: 10 };
    expect(nextFireTime(spec, 105_000, { anchor: 0, runs: 0 })).toBe(110_000);
    expect(nextFireTime(spec, 110_000, { anchor: 0, runs: 0 })).toBe(120_000);
    expect(nextFireTime(spec, 120_000, { anchor: 0, runs: 0 })).toBeNull();
    expect(nextFireTime(spec, 105_000, { anchor: 0, runs: 9 })).toBe(110_000);
    expect(nextFireTime(spec, 105_000, { anchor: 0, runs: 10 })).toBeNull();
  });
});

describe('nextFireTime: date', () => {
  it('is runDate while it is after `after`, then null', () => {
    const spec: TriggerSpec = { type: 'date', runDate: at('2026-05-01T12:00:00Z') };
    expect(iso(nextFireTime(spec, at('2026-05-01T11:59:59.999Z'), { anchor: 0, runs: 0 }))).toBe('2026-05-01T12:00:00.000Z');
    expect(nextFireTime(spec, at('2026-05-01T12:00:00Z'), { anchor: 0, runs: 0 })).toBeNull();
  });
});

describe('nextFireTime: cron bounds', () => {
  const hourly = (extra: Partial<{ startDate: number; endDate: number; maxRuns: number }>): TriggerSpec => ({
    type: 'cron', expression: '0 * * * *', timezone: 'UTC', ...extra,
  });

  it('includes an occurrence exactly at startDate, none before it', () => {
    expect(iso(nextFireTime(hourly({ startDate: at('2026-01-01T05:00:00Z') }), at('2026-01-01T00:00:00Z'), { anchor: 0, runs: 0 })))
      .toBe('2026-01-01T05:00:00.000Z');
    expect(iso(nextFireTime(hourly({ startDate: at('2026-01-01T05:00:00.001Z') }), at('2026-01-01T00:00:00Z'), { anchor: 0, runs: 0 })))
      .toBe('2026-01-01T06:00:00.000Z');
  });

  it('includes an occurrence exactly at endDate, none after it, and honours maxRuns', () => {
    const spec = hourly({ endDate: at('2026-01-01T06:00:00Z'), maxRuns: 3 });
    expect(iso(nextFireTime(spec, at('2026-01-01T05:00:00Z'), { anchor: 0, runs: 2 }))).toBe('2026-01-01T06:00:00.000Z');
    expect(nextFireTime(spec, at('2026-01-01T06:00:00Z'), { anchor: 0, runs: 2 })).toBeNull();
    expect(nextFireTime(spec, at('2026-01-01T05:00:00Z'), { anchor: 0, runs: 3 })).toBeNull();
  });
});
