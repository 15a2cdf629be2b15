import { describe, expect, it } from 'vitest';
import type { CoalesceMode, SchedulePolicy } from '../stores/store.js';
import type { TriggerSpec } from '../triggers/trigger.js';
import { planOccurrences, type Plan } from './plan.js';

const at = (iso: string): number => Date.parse(iso);
const iso = (t: number | null): string | null => (t === null ? null : new Date(t).toISOString());

const basePolicy: SchedulePolicy = {
  misfireGraceTimeMs: null, coalesce: 'all', maxCatchUp: 100, maxInstances: 1, overlap: 'skip',
  jitterMs: 0, timeoutMs: null, retries: 0, retryDelayMs: 1_000, recover: false,
};

interface Case {
  trigger?: TriggerSpec;
  coalesce: CoalesceMode;
  grace?: number | null;
  maxCatchUp?: number;
  nextRunAt?: string;
  now?: string;
  runs?: number;
}

const everyMinute: TriggerSpec = { type: 'interval', everyMs: 60_000 };

/** Every-minute job anchored at 10:00, last fired 10:00, down until 10:05:10: 10:01..10:05 are due. */
function planOf(c: Case): Plan {
  return planOccurrences({
    trigger: c.trigger ?? everyMinute,
    policy: { ...basePolicy, coalesce: c.coalesce, misfireGraceTimeMs: c.grace ?? null, maxCatchUp: c.maxCatchUp ?? 100 },
    nextRunAt: at(c.nextRunAt ?? '2026-01-01T10:01:00Z'),
    state: { anchor: at('2026-01-01T10:00:00Z'), runs: c.runs ?? 0 },
    now: at(c.now ?? '2026-01-01T10:05:10Z'),
  });
}

/** {@link planOf} as ISO text: what fires, how many are missed, the next fire time. */
function plan(c: Case): { fire: string[]; missed: number; next: string | null } {
  const p = planOf(c);
  return { fire: p.fire.map((t) => iso(t) as string), missed: p.missedCount, next: iso(p.nextRunAt) };
}

describe('planOccurrences after a downtime, grace time off', () => {
  it('all: runs every due occurrence', () => {
    expect(plan({ coalesce: 'all' })).toEqual({
      fire: ['2026-01-01T10:01:00.000Z', '2026-01-01T10:02:00.000Z', '2026-01-01T10:03:00.000Z', '2026-01-01T10:04:00.000Z', '2026-01-01T10:05:00.000Z'],
      missed: 0,
      next: '2026-01-01T10:06:00.000Z',
    });
  });

  it('all with maxCatchUp: runs the newest maxCatchUp, the older ones are missed', () => {
    expect(plan({ coalesce: 'all', maxCatchUp: 2 })).toEqual({
      fire: ['2026-01-01T10:04:00.000Z', '2026-01-01T10:05:00.000Z'], missed: 3, next: '2026-01-01T10:06:00.000Z',
    });
    expect(plan({ coalesce: 'all', maxCatchUp: 0 }).fire).toEqual(['2026-01-01T10:05:00.000Z']);
  });

  it('earliest, latest, skip', () => {
    expect(plan({ coalesce: 'earliest' })).toEqual({ fire: ['2026-01-01T10:01:00.000Z'], missed: 4, next: '2026-01-01T10:06:00.000Z' });
    expect(plan({ coalesce: 'latest' })).toEqual({ fire: ['2026-01-01T10:05:00.000Z'], missed: 4, next: '2026-01-01T10:06:00.000Z' });
    expect(plan({ coalesce: 'skip' })).toEqual({ fire: [], missed: 5, next: '2026-01-01T10:06:00.000Z' });
  });
});

describe('planOccurrences after a downtime, grace time 2.5 min (10:01 and 10:02 are too late)', () => {
  const grace = 150_000;
  it('all', () => {
    expect(plan({ coalesce: 'all', grace })).toEqual({
      fire: ['2026-01-01T10:03:00.000Z', '2026-01-01T10:04:00.000Z', '2026-01-01T10:05:00.000Z'], missed: 2, next: '2026-01-01T10:06:00.000Z',
    });
    expect(plan({ coalesce: 'all', grace, maxCatchUp: 2 })).toEqual({
      fire: ['2026-01-01T10:04:00.000Z', '2026-01-01T10:05:00.000Z'], missed: 3, next: '2026-01-01T10:06:00.000Z',
    });
  });

  it('earliest runs the first on-time occurrence, latest the last, skip none', () => {
    expect(plan({ coalesce: 'earliest', grace })).toEqual({ fire: ['2026-01-01T10:03:00.000Z'], missed: 4, next: '2026-01-01T10:06:00.000Z' });
    expect(plan({ coalesce: 'latest', grace })).toEqual({ fire: ['2026-01-01T10:05:00.000Z'], missed: 4, next: '2026-01-01T10:06:00.000Z' });
    expect(plan({ coalesce: 'skip', grace })).toEqual({ fire: [], missed: 5, next: '2026-01-01T10:06:00.000Z' });
  });

  it('misses everything when all due occurrences are past the grace time', () => {
    expect(plan({ coalesce: 'latest', grace: 5_000 })).toEqual({ fire: [], missed: 5, next: '2026-01-01T10:06:00.000Z' });
  });
});

describe('planOccurrences in normal operation', () => {
  it('returns an empty plan when nothing is due', () => {
    expect(plan({ coalesce: 'all', nextRunAt: '2026-01-01T10:06:00Z' })).toEqual({ fire: [], missed: 0, next: '2026-01-01T10:06:00.000Z' });
  });

  it('runs a single on-time occurrence in every mode, skip included', () => {
    for (const coalesce of ['all', 'earliest', 'latest', 'skip'] as const) {
      expect(plan({ coalesce, grace: 1_000, nextRunAt: '2026-01-01T10:05:00Z', now: '2026-01-01T10:05:00.020Z' }), coalesce).toEqual({
        fire: ['2026-01-01T10:05:00.000Z'], missed: 0, next: '2026-01-01T10:06:00.000Z',
      });
    }
  });

  it('counts an occurrence exactly grace-time late as on time, one ms more as missed', () => {
    const base = { coalesce: 'skip' as const, grace: 10_000, nextRunAt: '2026-01-01T10:05:00Z' };
    expect(plan({ ...base, now: '2026-01-01T10:05:10.000Z' }).fire).toEqual(['2026-01-01T10:05:00.000Z']);
    expect(plan({ ...base, now: '2026-01-01T10:05:10.001Z' })).toEqual({ fire: [], missed: 1, next: '2026-01-01T10:06:00.000Z' });
  });
});

describe('planOccurrences with maxRuns and endDate during catch-up', () => {
  const capped: TriggerSpec = { type: 'interval', everyMs: 60_000, maxRuns: 5 };

  it('fires only the runs left and then exhausts the trigger', () => {
    expect(plan({ trigger: capped, coalesce: 'all', runs: 3 })).toEqual({
      fire: ['2026-01-01T10:04:00.000Z', '2026-01-01T10:05:00.000Z'], missed: 3, next: null,
    });
    expect(plan({ trigger: capped, coalesce: 'latest', runs: 4 })).toEqual({ fire: ['2026-01-01T10:05:00.000Z'], missed: 4, next: null });
    expect(plan({ trigger: capped, coalesce: 'latest', runs: 3 })).toEqual({
      fire: ['2026-01-01T10:05:00.000Z'], missed: 4, next: '2026-01-01T10:06:00.000Z',
    });
    expect(plan({ trigger: capped, coalesce: 'all', runs: 5 })).toEqual({ fire: [], missed: 0, next: null });
  });

  it('stops at endDate', () => {
    const ending: TriggerSpec = { type: 'interval', everyMs: 60_000, endDate: at('2026-01-01T10:03:00Z') };
    expect(plan({ trigger: ending, coalesce: 'all' })).toEqual({
      fire: ['2026-01-01T10:01:00.000Z', '2026-01-01T10:02:00.000Z', '2026-01-01T10:03:00.000Z'], missed: 0, next: null,
    });
  });

  it('fires a date trigger once, or misses it past the grace time', () => {
    const once: TriggerSpec = { type: 'date', runDate: at('2026-01-01T10:00:00Z') };
    const common = { trigger: once, nextRunAt: '2026-01-01T10:00:00Z', now: '2026-01-01T10:00:30Z' };
    expect(plan({ ...common, coalesce: 'all' })).toEqual({ fire: ['2026-01-01T10:00:00.000Z'], missed: 0, next: null });
    expect(plan({ ...common, coalesce: 'all', grace: 10_000 })).toEqual({ fire: [], missed: 1, next: null });
  });
});

describe('planOccurrences never enumerates a long downtime', () => {
  // Every second from 2025-01-01T00:00:00Z; down from 00:00:01 (the first due) until 2026-01-01T00:00:00.500Z:
  // 365 * 86,400 = 31,536,000 occurrences are due.
  const everySecond: TriggerSpec = { type: 'interval', everyMs: 1_000 };
  const longPlan = (coalesce: CoalesceMode, grace: number | null, maxCatchUp = 100) =>
    planOccurrences({
      trigger: everySecond,
      policy: { ...basePolicy, coalesce, misfireGraceTimeMs: grace, maxCatchUp },
      nextRunAt: at('2025-01-01T00:00:01Z'),
      state: { anchor: at('2025-01-01T00:00:00Z'), runs: 0 },
      now: at('2026-01-01T00:00:00.500Z'),
    });

  it('counts a year of 1 s occurrences arithmetically', () => {
    const latest = longPlan('latest', null);
    expect(latest.fire.map(iso)).toEqual(['2026-01-01T00:00:00.000Z']);
    expect(latest.missedCount).toBe(31_535_999);
    expect(iso(latest.nextRunAt)).toBe('2026-01-01T00:00:01.000Z');

    const all = longPlan('all', null, 3);
    expect(all.fire.map(iso)).toEqual(['2025-12-31T23:59:58.000Z', '2025-12-31T23:59:59.000Z', '2026-01-01T00:00:00.000Z']);
    expect(all.missedCount).toBe(31_535_997);
  });

  it('applies the grace time to the backlog', () => {
    // On time: at or after 2025-12-31T23:59:00.500Z, so 23:59:01 .. 00:00:00 (60 occurrences).
    const earliest = longPlan('earliest', 60_000);
    expect(earliest.fire.map(iso)).toEqual(['2025-12-31T23:59:01.000Z']);
    expect(earliest.missedCount).toBe(31_535_999);
    expect(longPlan('all', 60_000).fire.length).toBe(60);
    expect(longPlan('all', 60_000).missedCount).toBe(31_536_000 - 60);
  });
});

describe('planOccurrences with cron triggers', () => {
  it('catches up an hourly cron exactly', () => {
    const hourly: TriggerSpec = { type: 'cron', expression: '0 * * * *', timezone: 'UTC' };
    expect(plan({ trigger: hourly, coalesce: 'all', nextRunAt: '2026-01-01T01:00:00Z', now: '2026-01-01T05:30:00Z' })).toEqual({
      fire: ['2026-01-01T01:00:00.000Z', '2026-01-01T02:00:00.000Z', '2026-01-01T03:00:00.000Z', '2026-01-01T04:00:00.000Z', '2026-01-01T05:00:00.000Z'],
      missed: 0,
      next: '2026-01-01T06:00:00.000Z',
    });
    expect(plan({ trigger: hourly, coalesce: 'latest', nextRunAt: '2026-01-01T01:00:00Z', now: '2026-01-01T05:30:00Z' })).toEqual({
      fire: ['2026-01-01T05:00:00.000Z'], missed: 4, next: '2026-01-01T06:00:00.000Z',
    });
  });

  it('follows DST while catching up (New York spring-forward)', () => {
    const hourly: TriggerSpec = { type: 'cron', expression: '0 * * * *', timezone: 'America/New_York' };
    expect(plan({ trigger: hourly, coalesce: 'all', nextRunAt: '2026-03-08T05:00:00Z', now: '2026-03-08T08:30:00Z' })).toEqual({
      // 00:00 EST, 01:00 EST, 03:00 EDT, 04:00 EDT
      fire: ['2026-03-08T05:00:00.000Z', '2026-03-08T06:00:00.000Z', '2026-03-08T07:00:00.000Z', '2026-03-08T08:00:00.000Z'],
      missed: 0,
      next: '2026-03-08T09:00:00.000Z',
    });
  });

  it('bounds a huge cron backlog and estimates its count', () => {
    const everySecond: TriggerSpec = { type: 'cron', expression: '* * * * * *', timezone: 'UTC' };
    const p = plan({ trigger: everySecond, coalesce: 'latest', nextRunAt: '2026-01-01T00:00:00Z', now: '2026-01-02T00:00:00.500Z' });
    expect(p.fire).toEqual(['2026-01-02T00:00:00.000Z']);
    expect(p.next).toBe('2026-01-02T00:00:01.000Z');
    // 86,401 due (a day of seconds, both ends included): the part past 10,000 scanned is estimated.
    expect(Math.abs(p.missed - 86_400)).toBeLessThanOrEqual(864);
  });
});

describe('planOccurrences in the steady state (one due occurrence, on time)', () => {
  const modes: CoalesceMode[] = ['all', 'earliest', 'latest', 'skip'];

  it('every coalesce mode fires the one due occurrence and moves to the next', () => {
    for (const coalesce of modes) {
      expect(plan({ coalesce, grace: 60_000, nextRunAt: '2026-01-01T10:05:00Z', now: '2026-01-01T10:05:00.004Z' })).toEqual({
        fire: ['2026-01-01T10:05:00.000Z'], missed: 0, next: '2026-01-01T10:06:00.000Z',
      });
    }
  });

  it('grace time is inclusive: exactly at the grace limit runs, one ms later is missed', () => {
    expect(plan({ coalesce: 'latest', grace: 10_000, nextRunAt: '2026-01-01T10:05:00Z', now: '2026-01-01T10:05:10Z' })).toEqual({
      fire: ['2026-01-01T10:05:00.000Z'], missed: 0, next: '2026-01-01T10:06:00.000Z',
    });
    expect(plan({ coalesce: 'latest', grace: 10_000, nextRunAt: '2026-01-01T10:05:00Z', now: '2026-01-01T10:05:10.001Z' })).toEqual({
      fire: [], missed: 1, next: '2026-01-01T10:06:00.000Z',
    });
  });

  it('an endDate before the next occurrence exhausts the schedule; maxRuns counts the run', () => {
    const bounded: TriggerSpec = { type: 'interval', everyMs: 60_000, endDate: at('2026-01-01T10:05:30Z') };
    expect(plan({ trigger: bounded, coalesce: 'latest', nextRunAt: '2026-01-01T10:05:00Z', now: '2026-01-01T10:05:01Z' })).toEqual({
      fire: ['2026-01-01T10:05:00.000Z'], missed: 0, next: null,
    });
    const limited: TriggerSpec = { type: 'interval', everyMs: 60_000, maxRuns: 5 };
    expect(plan({ trigger: limited, coalesce: 'latest', runs: 4, nextRunAt: '2026-01-01T10:05:00Z', now: '2026-01-01T10:05:01Z' })).toEqual({
      fire: ['2026-01-01T10:05:00.000Z'], missed: 0, next: null,
    });
    expect(plan({ trigger: limited, coalesce: 'latest', runs: 3, nextRunAt: '2026-01-01T10:05:00Z', now: '2026-01-01T10:05:01Z' })).toEqual({
      fire: ['2026-01-01T10:05:00.000Z'], missed: 0, next: '2026-01-01T10:06:00.000Z',
    });
  });

  it('a cron schedule due once fires it and moves to the next match', () => {
    const cron: TriggerSpec = { type: 'cron', expression: '*/15 * * * * *', timezone: 'Europe/Berlin' };
    expect(plan({ trigger: cron, coalesce: 'skip', nextRunAt: '2026-01-01T10:05:15Z', now: '2026-01-01T10:05:15.020Z' })).toEqual({
      fire: ['2026-01-01T10:05:15.000Z'], missed: 0, next: '2026-01-01T10:05:30.000Z',
    });
  });
});

describe('planOccurrences names the first and last missed occurrence', () => {
  /** The missed range of the 10:01..10:05 downtime (see `plan`), as `first..last` in minutes past 10:00. */
  function missed(c: Case): string | undefined {
    const p = planOf(c);
    if (p.missed === undefined) return undefined;
    return `${iso(p.missed.first)}..${iso(p.missed.last)}`;
  }
  const range = (first: string, last: string): string => `2026-01-01T${first}:00.000Z..2026-01-01T${last}:00.000Z`;

  it('names none when nothing is missed', () => {
    expect(missed({ coalesce: 'all' })).toBeUndefined();
    expect(missed({ coalesce: 'all', nextRunAt: '2026-01-01T10:05:00Z' })).toBeUndefined();
  });

  it('without grace time: the occurrences around the ones that ran', () => {
    expect(missed({ coalesce: 'all', maxCatchUp: 2 })).toBe(range('10:01', '10:03'));
    expect(missed({ coalesce: 'all', maxCatchUp: 1 })).toBe(range('10:01', '10:04'));
    expect(missed({ coalesce: 'earliest' })).toBe(range('10:02', '10:05'));
    expect(missed({ coalesce: 'latest' })).toBe(range('10:01', '10:04'));
    expect(missed({ coalesce: 'skip' })).toBe(range('10:01', '10:05'));
  });

  it('with grace time: late occurrences first, then what coalescing dropped', () => {
    const grace = 150_000;
    expect(missed({ coalesce: 'all', grace })).toBe(range('10:01', '10:02'));
    expect(missed({ coalesce: 'all', grace, maxCatchUp: 2 })).toBe(range('10:01', '10:03'));
    expect(missed({ coalesce: 'earliest', grace })).toBe(range('10:01', '10:05'));
    expect(missed({ coalesce: 'latest', grace })).toBe(range('10:01', '10:04'));
    expect(missed({ coalesce: 'latest', grace: 210_000 })).toBe(range('10:01', '10:04'));
    expect(missed({ coalesce: 'latest', grace: 5_000 })).toBe(range('10:01', '10:05'));
    // Only 10:05 on time: earliest runs it, 10:01..10:04 were late.
    expect(missed({ coalesce: 'earliest', grace: 30_000 })).toBe(range('10:01', '10:04'));
  });

  it('with maxRuns: the runs left are the newest, the older ones are missed', () => {
    const capped: TriggerSpec = { type: 'interval', everyMs: 60_000, maxRuns: 5 };
    expect(missed({ trigger: capped, coalesce: 'all', runs: 3 })).toBe(range('10:01', '10:03'));
  });

  it('for cron backlogs, also past the scan limit', () => {
    const hourly: TriggerSpec = { type: 'cron', expression: '0 * * * *', timezone: 'UTC' };
    expect(missed({ trigger: hourly, coalesce: 'earliest', nextRunAt: '2026-01-01T01:00:00Z', now: '2026-01-01T05:30:00Z' }))
      .toBe('2026-01-01T02:00:00.000Z..2026-01-01T05:00:00.000Z');
    const everySecond: TriggerSpec = { type: 'cron', expression: '* * * * * *', timezone: 'UTC' };
    expect(missed({ trigger: everySecond, coalesce: 'latest', nextRunAt: '2026-01-01T00:00:00Z', now: '2026-01-02T00:00:00.500Z' }))
      .toBe('2026-01-01T00:00:00.000Z..2026-01-01T23:59:59.000Z');
  });
});
