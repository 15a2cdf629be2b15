import { describe, expect, it } from 'vitest';
import { cronNextAfter, cronNextAfterUnmemoised, cronNextAfterZoned, cronStats } from './cron-schedule.js';

const at = (iso: string): number => Date.parse(iso);

/** Runs `fn` and returns how many lookups and memo misses (searches) it caused. */
function counted(fn: () => void): { lookups: number; searches: number } {
  const before = cronStats();
  fn();
  const after = cronStats();
  return { lookups: after.lookups - before.lookups, searches: after.searches - before.searches };
}

describe('cron memo: same answers as the unmemoised paths', () => {
  it('agrees with croner timezone-aware search over DST windows, for sub-second and interleaved queries', () => {
    const windows: Array<[string, string, string]> = [
      ['America/New_York', '2026-03-08T05:00:00Z', '2026-03-08T09:00:00Z'], // spring forward 07:00Z
      ['America/New_York', '2026-11-01T04:00:00Z', '2026-11-01T08:00:00Z'], // fall back 06:00Z
      ['Europe/Berlin', '2026-10-24T23:00:00Z', '2026-10-25T03:00:00Z'], // fall back 01:00Z
      ['Australia/Lord_Howe', '2026-04-04T13:30:00Z', '2026-04-04T16:30:00Z'], // 30 min back 15:00Z
      ['UTC', '2026-12-31T22:00:00Z', '2027-01-01T02:00:00Z'],
    ];
    const expressions = ['* * * * * *', '*/15 * * * *', '30 1 * * *', '0 * * * *', '*/7 * * * * *'];
    // Each sample asks four neighbouring keys in an order that makes the 4-slot memo evict: the
    // instant, a later ms of the same second, the second before, and the same second again.
    const offsets = [0, 999, -1_000, 250, 1_000];
    let compared = 0;
    for (const [tz, fromIso, toIso] of windows) {
      for (const expr of expressions) {
        for (let t = at(fromIso); t < at(toIso); t += 7 * 60_000 + 17_321) {
          for (const d of offsets) {
            const q = t + d;
            const truth = cronNextAfterZoned(expr, tz, q);
            expect(cronNextAfter(expr, tz, q), `${expr} ${tz} after ${new Date(q).toISOString()}`).toBe(truth);
            expect(cronNextAfterUnmemoised(expr, tz, q)).toBe(truth);
            compared++;
          }
        }
      }
    }
    // 4 h windows (3 h for Lord Howe) sampled every 7 min 17.321 s: 33 or 25 instants, 5 queries each.
    expect(compared).toBe((4 * 33 + 25) * 5 * expressions.length);
  });

  it('answers the whole second: after 10:00:00.000 and after 10:00:00.999 both give 10:00:01', () => {
    const t = at('2026-05-05T10:00:00Z');
    expect(cronNextAfter('* * * * * *', 'Asia/Tokyo', t)).toBe(t + 1_000);
    expect(cronNextAfter('* * * * * *', 'Asia/Tokyo', t + 999)).toBe(t + 1_000);
    expect(cronNextAfter('* * * * * *', 'Asia/Tokyo', t - 1)).toBe(t);
  });

  it('remembers a null answer (a pattern that never matches again)', () => {
    const t = at('2026-01-01T00:00:00Z');
    const used = counted(() => {
      expect(cronNextAfter('0 0 30 2 *', 'UTC', t)).toBeNull();
      expect(cronNextAfter('0 0 30 2 *', 'UTC', t + 500)).toBeNull();
    });
    expect(used).toEqual({ lookups: 2, searches: 1 });
  });
});

describe('cron memo: searches per distinct second, not per job', () => {
  it('10,000 jobs asking for the same second cost one search', () => {
    const t = at('2026-06-01T12:00:00.004Z');
    const used = counted(() => {
      for (let i = 0; i < 10_000; i++) expect(cronNextAfter('*/2 * * * * *', 'Europe/Paris', t + (i % 900))).toBe(at('2026-06-01T12:00:02Z'));
    });
    expect(used).toEqual({ lookups: 10_000, searches: 1 });
  });

  it('a backlog of two (each job asks for T and T+1 s) alternating over jobs costs two searches', () => {
    const t = at('2026-06-01T12:00:00Z');
    const used = counted(() => {
      for (let i = 0; i < 1_000; i++) {
        expect(cronNextAfter('* * * * * *', 'America/Chicago', t)).toBe(t + 1_000);
        expect(cronNextAfter('* * * * * *', 'America/Chicago', t + 1_000)).toBe(t + 2_000);
      }
    });
    expect(used).toEqual({ lookups: 2_000, searches: 2 });
  });

  it('a walk of 21 consecutive seconds, or 11 quarter hours, repeated by 1,000 jobs costs one search per key', () => {
    const walk = (expr: string, from: number, stepMs: number, keys: number): { lookups: number; searches: number } => counted(() => {
      for (let j = 0; j < 1_000; j++) {
        for (let i = 0; i < keys; i++) expect(cronNextAfter(expr, 'UTC', from + i * stepMs)).toBe(from + (i + 1) * stepMs);
      }
    });
    expect(walk('* * * * * *', at('2026-09-09T09:09:09Z'), 1_000, 21)).toEqual({ lookups: 21_000, searches: 21 });
    expect(walk('*/15 * * * *', at('2026-09-09T09:00:00Z'), 900_000, 11)).toEqual({ lookups: 11_000, searches: 11 });
  });

  it('keeps one memo per (expression, timezone): two zones interleaved do not evict each other', () => {
    const t = at('2026-06-01T12:00:30Z');
    const used = counted(() => {
      for (let i = 0; i < 100; i++) {
        expect(cronNextAfter('0 * * * * *', 'Europe/Lisbon', t)).toBe(at('2026-06-01T12:01:00Z'));
        expect(cronNextAfter('0 * * * * *', 'Asia/Kolkata', t)).toBe(at('2026-06-01T12:01:00Z'));
      }
    });
    expect(used).toEqual({ lookups: 200, searches: 2 });
  });
});
