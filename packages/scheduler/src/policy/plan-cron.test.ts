import { describe, expect, it } from 'vitest';
import type { CoalesceMode, SchedulePolicy } from '../stores/store.js';
import type { TriggerSpec } from '../triggers/trigger.js';
import { cronStats } from '../triggers/cron-schedule.js';
import { planOccurrences, type Plan } from './plan.js';

const at = (iso: string): number => Date.parse(iso);

const basePolicy: SchedulePolicy = {
  misfireGraceTimeMs: null, coalesce: 'latest', maxCatchUp: 100, maxInstances: 1, overlap: 'skip',
  jitterMs: 0, timeoutMs: null, retries: 0, retryDelayMs: 1_000, recover: false,
};

/** Runs `fn` and returns its result with how many cron lookups and searches (memo misses) it made. */
function counted<T>(fn: () => T): { value: T; lookups: number; searches: number } {
  const before = cronStats();
  const value = fn();
  const after = cronStats();
  return { value, lookups: after.lookups - before.lookups, searches: after.searches - before.searches };
}

const modes: CoalesceMode[] = ['all', 'earliest', 'latest', 'skip'];

describe('planOccurrences on a cron trigger: trigger calls', () => {
  const T = at('2026-03-08T06:59:59Z'); // one second before New York springs forward

  it('one due occurrence costs exactly one lookup in every mode, with and without maxRuns', () => {
    for (const coalesce of modes) {
      for (const maxRuns of [undefined, 5]) {
        const trigger: TriggerSpec = { type: 'cron', expression: '* * * * * *', timezone: 'America/New_York', ...(maxRuns === undefined ? {} : { maxRuns }) };
        const r = counted(() => planOccurrences({
          trigger, policy: { ...basePolicy, coalesce }, nextRunAt: T, state: { anchor: 0, runs: 0 }, now: T + 400,
        }));
        expect(r.value, `${coalesce} maxRuns=${String(maxRuns)}`).toEqual({ fire: [T], missedCount: 0, nextRunAt: T + 1_000 });
        expect(r.lookups, `${coalesce} maxRuns=${String(maxRuns)}`).toBe(1);
      }
    }
  });

  it('one due occurrence past its grace time costs exactly one lookup too', () => {
    const trigger: TriggerSpec = { type: 'cron', expression: '*/5 * * * * *', timezone: 'UTC' };
    for (const coalesce of modes) {
      const r = counted(() => planOccurrences({
        trigger, policy: { ...basePolicy, coalesce, misfireGraceTimeMs: 1_000 }, nextRunAt: at('2026-01-01T00:00:05Z'),
        state: { anchor: 0, runs: 0 }, now: at('2026-01-01T00:00:08Z'),
      }));
      expect(r.value, coalesce).toEqual({ fire: [], missedCount: 1, missed: { first: at('2026-01-01T00:00:05Z'), last: at('2026-01-01T00:00:05Z') }, nextRunAt: at('2026-01-01T00:00:10Z') });
      expect(r.lookups, coalesce).toBe(1);
    }
  });

  it('10,000 jobs on one expression due at the same second cost one search', () => {
    const trigger: TriggerSpec = { type: 'cron', expression: '* * * * * *', timezone: 'Europe/Madrid' };
    const t = at('2026-07-01T10:00:00Z');
    const plans: Plan[] = [];
    const r = counted(() => {
      for (let i = 0; i < 10_000; i++) {
        plans.push(planOccurrences({ trigger, policy: basePolicy, nextRunAt: t, state: { anchor: 0, runs: 0 }, now: t + (i % 800) }));
      }
    });
    expect(r.searches).toBe(1);
    expect(plans.every((p) => p.fire.length === 1 && p.fire[0] === t && p.missedCount === 0 && p.nextRunAt === t + 1_000)).toBe(true);
  });

  it('10,000 jobs one second behind (two due each, coalesce latest) cost two searches, not two per job', () => {
    const trigger: TriggerSpec = { type: 'cron', expression: '* * * * * *', timezone: 'Asia/Tokyo' };
    const t = at('2026-07-01T10:00:00Z');
    const plans: Plan[] = [];
    const r = counted(() => {
      for (let i = 0; i < 10_000; i++) {
        plans.push(planOccurrences({ trigger, policy: basePolicy, nextRunAt: t, state: { anchor: 0, runs: 0 }, now: t + 1_000 + (i % 800) }));
      }
    });
    expect(r.searches).toBe(2);
    expect(plans.every((p) => p.fire.length === 1 && p.fire[0] === t + 1_000 && p.missedCount === 1 && p.nextRunAt === t + 2_000)).toBe(true);
  });

  it('10,000 jobs ten seconds behind (eleven due each, coalesce all) cost eleven searches', () => {
    const trigger: TriggerSpec = { type: 'cron', expression: '* * * * * *', timezone: 'Europe/Berlin' };
    const t = at('2026-10-25T00:59:55Z'); // across Berlin's fall-back at 01:00Z
    const expected = Array.from({ length: 11 }, (_, i) => t + i * 1_000);
    const plans: Plan[] = [];
    const r = counted(() => {
      for (let i = 0; i < 10_000; i++) {
        plans.push(planOccurrences({ trigger, policy: { ...basePolicy, coalesce: 'all' }, nextRunAt: t, state: { anchor: 0, runs: 0 }, now: t + 10_000 + (i % 800) }));
      }
    });
    expect(r.searches).toBe(11);
    expect(plans[0]).toEqual({ fire: expected, missedCount: 0, nextRunAt: t + 11_000 });
    expect(plans.every((p) => p.fire.length === 11 && p.fire[10] === t + 10_000 && p.nextRunAt === t + 11_000)).toBe(true);
  });
});
