import { describe, expect, it } from 'vitest';
import { cronNextAfter, cronNextAfterZoned } from './cron-schedule.js';

/** The next `n` run times after `fromIso`, as ISO strings. */
function runs(expression: string, timezone: string, fromIso: string, n: number): string[] {
  const out: string[] = [];
  let t = Date.parse(fromIso);
  for (let i = 0; i < n; i++) {
    const next = cronNextAfter(expression, timezone, t);
    if (next === null) break;
    out.push(new Date(next).toISOString());
    t = next;
  }
  return out;
}

describe('cron next-run lists (UTC)', () => {
  it('handles a seconds field (6 fields, seconds first)', () => {
    expect(runs('*/20 * * * * *', 'UTC', '2026-01-01T00:00:05Z', 4)).toEqual([
      '2026-01-01T00:00:20.000Z', '2026-01-01T00:00:40.000Z', '2026-01-01T00:01:00.000Z', '2026-01-01T00:01:20.000Z',
    ]);
    expect(runs('15 30 9 * * *', 'UTC', '2026-01-01T00:00:00Z', 2)).toEqual(['2026-01-01T09:30:15.000Z', '2026-01-02T09:30:15.000Z']);
  });

  it('is strictly after `after`, also within the same second', () => {
    expect(runs('* * * * * *', 'UTC', '2026-01-01T00:00:00.000Z', 2)).toEqual(['2026-01-01T00:00:01.000Z', '2026-01-01T00:00:02.000Z']);
    expect(runs('* * * * * *', 'UTC', '2026-01-01T00:00:00.999Z', 1)).toEqual(['2026-01-01T00:00:01.000Z']);
  });

  it('expands the macros', () => {
    expect(runs('@yearly', 'UTC', '2026-03-01T00:00:00Z', 2)).toEqual(['2027-01-01T00:00:00.000Z', '2028-01-01T00:00:00.000Z']);
    expect(runs('@annually', 'UTC', '2026-03-01T00:00:00Z', 1)).toEqual(['2027-01-01T00:00:00.000Z']);
    expect(runs('@monthly', 'UTC', '2026-01-15T00:00:00Z', 2)).toEqual(['2026-02-01T00:00:00.000Z', '2026-03-01T00:00:00.000Z']);
    // 2026-01-01 is a Thursday; @weekly is Sunday midnight.
    expect(runs('@weekly', 'UTC', '2026-01-01T00:00:00Z', 2)).toEqual(['2026-01-04T00:00:00.000Z', '2026-01-11T00:00:00.000Z']);
    expect(runs('@daily', 'UTC', '2026-01-01T12:00:00Z', 2)).toEqual(['2026-01-02T00:00:00.000Z', '2026-01-03T00:00:00.000Z']);
    expect(runs('@midnight', 'UTC', '2026-01-01T12:00:00Z', 1)).toEqual(['2026-01-02T00:00:00.000Z']);
    expect(runs('@hourly', 'UTC', '2026-01-01T10:30:00Z', 2)).toEqual(['2026-01-01T11:00:00.000Z', '2026-01-01T12:00:00.000Z']);
  });

  it('combines day-of-month and day-of-week with OR when both are restricted (crontab)', () => {
    // The 1st of each month OR every Monday.
    expect(runs('0 9 1 * MON', 'UTC', '2026-01-01T00:00:00Z', 7)).toEqual([
      '2026-01-01T09:00:00.000Z', // Thursday the 1st
      '2026-01-05T09:00:00.000Z',
      '2026-01-12T09:00:00.000Z',
      '2026-01-19T09:00:00.000Z',
      '2026-01-26T09:00:00.000Z',
      '2026-02-01T09:00:00.000Z', // Sunday the 1st
      '2026-02-02T09:00:00.000Z',
    ]);
  });

  it('uses AND with the + prefix on day-of-week', () => {
    // Only a 1st that is a Monday: June 2026, then February 2027.
    expect(runs('0 9 1 * +MON', 'UTC', '2026-01-01T00:00:00Z', 2)).toEqual(['2026-06-01T09:00:00.000Z', '2027-02-01T09:00:00.000Z']);
  });

  it('handles ranges with steps and day-of-week ranges', () => {
    // 2026-01-02 is a Friday.
    expect(runs('0 8-18/5 * * 1-5', 'UTC', '2026-01-02T00:00:00Z', 4)).toEqual([
      '2026-01-02T08:00:00.000Z', '2026-01-02T13:00:00.000Z', '2026-01-02T18:00:00.000Z', '2026-01-05T08:00:00.000Z',
    ]);
    expect(runs('0 0 1,15 JAN-MAR *', 'UTC', '2026-02-20T00:00:00Z', 3)).toEqual([
      '2026-03-01T00:00:00.000Z', '2026-03-15T00:00:00.000Z', '2027-01-01T00:00:00.000Z',
    ]);
  });

  it('supports L (last day, last weekday of month) and W (nearest weekday)', () => {
    expect(runs('0 0 L * *', 'UTC', '2026-01-01T00:00:00Z', 3)).toEqual([
      '2026-01-31T00:00:00.000Z', '2026-02-28T00:00:00.000Z', '2026-03-31T00:00:00.000Z',
    ]);
    expect(runs('0 12 * * 5#L', 'UTC', '2026-01-01T00:00:00Z', 2)).toEqual(['2026-01-30T12:00:00.000Z', '2026-02-27T12:00:00.000Z']);
    // Jan 15 2026 is a Thursday; Feb 15 and Mar 15 are Sundays, so the Monday after.
    expect(runs('0 0 15W * *', 'UTC', '2026-01-01T00:00:00Z', 3)).toEqual([
      '2026-01-15T00:00:00.000Z', '2026-02-16T00:00:00.000Z', '2026-03-16T00:00:00.000Z',
    ]);
  });

  it('reads the pattern in the job timezone', () => {
    // 09:00 in Berlin is 08:00Z in winter, 07:00Z in summer; 2026-01-02 09:00 CET is excluded (not after).
    expect(runs('0 9 * * 1-5', 'Europe/Berlin', '2026-01-02T08:00:00Z', 2)).toEqual(['2026-01-05T08:00:00.000Z', '2026-01-06T08:00:00.000Z']);
    expect(runs('0 9 * * *', 'Europe/Berlin', '2026-07-01T00:00:00Z', 1)).toEqual(['2026-07-01T07:00:00.000Z']);
    expect(runs('0 9 * * *', 'Asia/Kolkata', '2026-07-01T00:00:00Z', 1)).toEqual(['2026-07-01T03:30:00.000Z']);
  });
});

describe('DST: America/New_York (spring 2026-03-08 02:00 EST -> 03:00 EDT, fall 2026-11-01 02:00 EDT -> 01:00 EST)', () => {
  it('runs a fixed time skipped by spring-forward once, at the end of the gap', () => {
    expect(runs('30 2 * * *', 'America/New_York', '2026-03-07T00:00:00Z', 3)).toEqual([
      '2026-03-07T07:30:00.000Z', // 02:30 EST
      '2026-03-08T07:00:00.000Z', // 02:30 does not exist: 03:00 EDT
      '2026-03-09T06:30:00.000Z', // 02:30 EDT
    ]);
  });

  it('keeps wildcard expressions on the real clock across the gap', () => {
    expect(runs('0 * * * *', 'America/New_York', '2026-03-08T05:30:00Z', 3)).toEqual([
      '2026-03-08T06:00:00.000Z', // 01:00 EST
      '2026-03-08T07:00:00.000Z', // 03:00 EDT
      '2026-03-08T08:00:00.000Z', // 04:00 EDT
    ]);
    expect(runs('*/15 * * * *', 'America/New_York', '2026-03-08T06:30:00Z', 3)).toEqual([
      '2026-03-08T06:45:00.000Z', // 01:45 EST
      '2026-03-08T07:00:00.000Z', // 03:00 EDT
      '2026-03-08T07:15:00.000Z',
    ]);
  });

  it('runs a fixed time repeated by fall-back once, at its first occurrence', () => {
    expect(runs('30 1 * * *', 'America/New_York', '2026-10-31T00:00:00Z', 3)).toEqual([
      '2026-10-31T05:30:00.000Z', // 01:30 EDT
      '2026-11-01T05:30:00.000Z', // 01:30 EDT, first pass; not again at 01:30 EST
      '2026-11-02T06:30:00.000Z', // 01:30 EST
    ]);
    // A list counts as fixed time too (Vixie cron's rule).
    expect(runs('30 1,13 * * *', 'America/New_York', '2026-10-31T20:00:00Z', 3)).toEqual([
      '2026-11-01T05:30:00.000Z', '2026-11-01T18:30:00.000Z', '2026-11-02T06:30:00.000Z',
    ]);
  });

  it('does not run the second pass when asked from inside the repeated hour', () => {
    // 06:10Z is 01:10 EST (second pass); 01:45 already ran at 05:45Z (EDT).
    expect(runs('45 1 * * *', 'America/New_York', '2026-11-01T06:10:00Z', 1)).toEqual(['2026-11-02T06:45:00.000Z']);
  });

  it('runs wildcard expressions on both passes of the repeated hour', () => {
    expect(runs('0 * * * *', 'America/New_York', '2026-11-01T04:30:00Z', 3)).toEqual([
      '2026-11-01T05:00:00.000Z', // 01:00 EDT
      '2026-11-01T06:00:00.000Z', // 01:00 EST
      '2026-11-01T07:00:00.000Z', // 02:00 EST
    ]);
    expect(runs('*/15 * * * *', 'America/New_York', '2026-11-01T05:30:00Z', 6)).toEqual([
      '2026-11-01T05:45:00.000Z', '2026-11-01T06:00:00.000Z', '2026-11-01T06:15:00.000Z',
      '2026-11-01T06:30:00.000Z', '2026-11-01T06:45:00.000Z', '2026-11-01T07:00:00.000Z',
    ]);
  });
});

describe('DST: Europe/Berlin (spring 2026-03-29 02:00 CET -> 03:00 CEST, fall 2026-10-25 03:00 CEST -> 02:00 CET)', () => {
  it('spring-forward', () => {
    expect(runs('30 2 * * *', 'Europe/Berlin', '2026-03-28T00:00:00Z', 3)).toEqual([
      '2026-03-28T01:30:00.000Z', // 02:30 CET
      '2026-03-29T01:00:00.000Z', // 03:00 CEST
      '2026-03-30T00:30:00.000Z', // 02:30 CEST
    ]);
    expect(runs('0 * * * *', 'Europe/Berlin', '2026-03-28T23:30:00Z', 3)).toEqual([
      '2026-03-29T00:00:00.000Z', // 01:00 CET
      '2026-03-29T01:00:00.000Z', // 03:00 CEST
      '2026-03-29T02:00:00.000Z', // 04:00 CEST
    ]);
    expect(runs('*/15 * * * *', 'Europe/Berlin', '2026-03-29T00:30:00Z', 3)).toEqual([
      '2026-03-29T00:45:00.000Z', // 01:45 CET
      '2026-03-29T01:00:00.000Z', // 03:00 CEST
      '2026-03-29T01:15:00.000Z',
    ]);
  });

  it('fall-back', () => {
    expect(runs('30 2 * * *', 'Europe/Berlin', '2026-10-24T00:00:00Z', 3)).toEqual([
      '2026-10-24T00:30:00.000Z', // 02:30 CEST
      '2026-10-25T00:30:00.000Z', // 02:30 CEST, first pass only
      '2026-10-26T01:30:00.000Z', // 02:30 CET
    ]);
    expect(runs('0 * * * *', 'Europe/Berlin', '2026-10-24T23:30:00Z', 3)).toEqual([
      '2026-10-25T00:00:00.000Z', // 02:00 CEST
      '2026-10-25T01:00:00.000Z', // 02:00 CET
      '2026-10-25T02:00:00.000Z', // 03:00 CET
    ]);
    expect(runs('*/15 * * * *', 'Europe/Berlin', '2026-10-25T00:30:00Z', 4)).toEqual([
      '2026-10-25T00:45:00.000Z', '2026-10-25T01:00:00.000Z', '2026-10-25T01:15:00.000Z', '2026-10-25T01:30:00.000Z',
    ]);
  });
});

describe('DST: Australia/Lord_Howe (30-minute shift)', () => {
  // 2026-10-04 02:00 +10:30 -> 02:30 +11 (at 2026-10-03T15:30Z);
  // 2026-04-05 02:00 +11 -> 01:30 +10:30 (at 2026-04-04T15:00Z).
  it('October: 02:00 -> 02:30', () => {
    expect(runs('15 2 * * *', 'Australia/Lord_Howe', '2026-10-03T00:00:00Z', 2)).toEqual([
      '2026-10-03T15:30:00.000Z', // 02:15 does not exist: 02:30 +11
      '2026-10-04T15:15:00.000Z', // 02:15 +11
    ]);
    expect(runs('*/15 * * * *', 'Australia/Lord_Howe', '2026-10-03T15:00:00Z', 3)).toEqual([
      '2026-10-03T15:15:00.000Z', // 01:45 +10:30
      '2026-10-03T15:30:00.000Z', // 02:30 +11
      '2026-10-03T15:45:00.000Z', // 02:45 +11
    ]);
    expect(runs('0 * * * *', 'Australia/Lord_Howe', '2026-10-03T14:00:00Z', 3)).toEqual([
      '2026-10-03T14:30:00.000Z', // 01:00 +10:30
      '2026-10-03T16:00:00.000Z', // 03:00 +11 (02:00 does not exist)
      '2026-10-03T17:00:00.000Z',
    ]);
  });

  it('April: 02:00 -> 01:30', () => {
    expect(runs('45 1 * * *', 'Australia/Lord_Howe', '2026-04-04T00:00:00Z', 2)).toEqual([
      '2026-04-04T14:45:00.000Z', // 01:45 +11, first pass only
      '2026-04-05T15:15:00.000Z', // 01:45 +10:30
    ]);
    expect(runs('*/15 * * * *', 'Australia/Lord_Howe', '2026-04-04T14:00:00Z', 6)).toEqual([
      '2026-04-04T14:15:00.000Z', // 01:15 +11
      '2026-04-04T14:30:00.000Z', // 01:30 +11
      '2026-04-04T14:45:00.000Z', // 01:45 +11
      '2026-04-04T15:00:00.000Z', // 01:30 +10:30 (second pass)
      '2026-04-04T15:15:00.000Z', // 01:45 +10:30
      '2026-04-04T15:30:00.000Z', // 02:00 +10:30
    ]);
    expect(runs('0 * * * *', 'Australia/Lord_Howe', '2026-04-04T13:30:00Z', 3)).toEqual([
      '2026-04-04T14:00:00.000Z', // 01:00 +11
      '2026-04-04T15:30:00.000Z', // 02:00 +10:30
      '2026-04-04T16:30:00.000Z', // 03:00 +10:30
    ]);
  });
});

describe('fixed-offset fast path', () => {
  it('agrees with croner timezone-aware search around every transition of a year', () => {
    const cases: Array<[string, string, string]> = [
      ['America/New_York', '2026-03-07T12:00:00Z', '2026-03-09T00:00:00Z'],
      ['America/New_York', '2026-10-31T12:00:00Z', '2026-11-02T00:00:00Z'],
      ['Europe/Berlin', '2026-03-28T12:00:00Z', '2026-03-30T00:00:00Z'],
      ['Europe/Berlin', '2026-10-24T12:00:00Z', '2026-10-26T00:00:00Z'],
      ['Australia/Lord_Howe', '2026-04-03T12:00:00Z', '2026-04-05T12:00:00Z'],
      ['Australia/Lord_Howe', '2026-10-02T12:00:00Z', '2026-10-04T12:00:00Z'],
    ];
    const expressions = ['30 2 * * *', '45 1 * * *', '0 * * * *', '*/15 * * * *', '30 1,2 * * *', '0 30 2 * * *', '*/7 * * * * *'];
    let compared = 0;
    for (const [tz, fromIso, toIso] of cases) {
      for (const expr of expressions) {
        for (let t = Date.parse(fromIso); t < Date.parse(toIso); t += 29 * 60_000 + 13_000) {
          expect(cronNextAfter(expr, tz, t), `${expr} ${tz} after ${new Date(t).toISOString()}`).toBe(cronNextAfterZoned(expr, tz, t));
          compared++;
        }
      }
    }
    // 36 h windows (48 h for Lord Howe) sampled every 29 min 13 s: 74 or 99 instants, times 7 expressions.
    expect(compared).toBe((4 * 74 + 2 * 99) * 7);
  });
});
