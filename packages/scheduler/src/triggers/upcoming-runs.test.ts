import { describe, expect, it } from 'vitest';
import { upcomingRuns } from './upcoming-runs.js';

const at = (iso: string): number => Date.parse(iso);

describe('upcomingRuns', () => {
  it('lists an interval from its stored next time, one period apart', () => {
    expect(upcomingRuns({ type: 'interval', everyMs: 60_000 }, { nextRunAt: at('2026-01-01T00:02:00Z'), runs: 1, anchor: at('2026-01-01T00:00:00Z') }, 3))
      .toEqual([at('2026-01-01T00:02:00Z'), at('2026-01-01T00:03:00Z'), at('2026-01-01T00:04:00Z')]);
  });

  it('lists cron times in the trigger\'s timezone across a DST change', () => {
    const spec = { type: 'cron', expression: '30 1 * * *', timezone: 'Europe/Berlin' } as const;
    // Berlin goes to summer time at 02:00 on 2026-03-29: 01:30 that night is still UTC+1, the next day's UTC+2.
    expect(upcomingRuns(spec, { nextRunAt: at('2026-03-28T00:30:00Z'), runs: 0, anchor: 0 }, 3))
      .toEqual([at('2026-03-28T00:30:00Z'), at('2026-03-29T00:30:00Z'), at('2026-03-29T23:30:00Z')]);
  });

  it('stops at maxRuns and endDate', () => {
    expect(upcomingRuns({ type: 'interval', everyMs: 1000, maxRuns: 3 }, { nextRunAt: 5000, runs: 1, anchor: 0 }, 5)).toEqual([5000, 6000]);
    expect(upcomingRuns({ type: 'interval', everyMs: 1000, endDate: 7000 }, { nextRunAt: 5000, runs: 0, anchor: 0 }, 5)).toEqual([5000, 6000, 7000]);
  });

  it('gives one time for a date trigger and none for an exhausted one', () => {
    expect(upcomingRuns({ type: 'date', runDate: 9000 }, { nextRunAt: 9000, runs: 0, anchor: 0 }, 5)).toEqual([9000]);
    expect(upcomingRuns({ type: 'interval', everyMs: 1000 }, { nextRunAt: null, runs: 4, anchor: 0 }, 5)).toEqual([]);
  });

  it('starts after `from` for a paused job, as a resume then would', () => {
    expect(upcomingRuns({ type: 'interval', everyMs: 1000 }, { nextRunAt: 3000, runs: 2, anchor: 0 }, 2, 10_500)).toEqual([11_000, 12_000]);
  });
});
