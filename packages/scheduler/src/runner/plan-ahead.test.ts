import { describe, expect, it } from 'vitest';
import { planOccurrences, type Plan, type PlanInput } from '../policy/plan.js';
import type { ScheduleDefinition, SchedulePolicy } from '../stores/store.js';
import { AHEAD_OCCURRENCES, planAhead } from './plan-ahead.js';

const POLICY: SchedulePolicy = {
  misfireGraceTimeMs: null, coalesce: 'latest', maxCatchUp: 10, maxInstances: 1, overlap: 'skip', jitterMs: 0,
  timeoutMs: null, retries: 0, retryDelayMs: 1000, recover: false,
};

function job(trigger: ScheduleDefinition['trigger'], policy: Partial<SchedulePolicy> = {}): ScheduleDefinition {
  return { id: 'j', owner: 'a', trigger, policy: { ...POLICY, ...policy }, args: [] };
}

/** The plan the runner committed for `definition` due at `at` (on time). */
function committed(definition: ScheduleDefinition, at: number): Plan {
  return planOccurrences({ trigger: definition.trigger, policy: definition.policy, nextRunAt: at, state: { anchor: 0, runs: 0 }, now: at });
}

describe('planAhead', () => {
  it('plans the next occurrences of an interval and of a cron, with the grace time', () => {
    const every = job({ type: 'interval', everyMs: 1000 }, { misfireGraceTimeMs: 250.5 });
    const ahead = planAhead(planOccurrences, every, committed(every, 5000), { anchor: 0, runs: 3 });
    expect(ahead).toEqual({ graceMs: 250, occurrences: Array.from({ length: AHEAD_OCCURRENCES }, (_, i) => 7000 + i * 1000), catchUp: true });
    const cron = job({ type: 'cron', expression: '*/2 * * * * *', timezone: 'UTC' });
    expect(planAhead(planOccurrences, cron, committed(cron, 2000), { anchor: 0, runs: 0 })?.occurrences.slice(0, 3)).toEqual([6000, 8000, 10_000]);
  });

  it('plans nothing for a run limit or a date trigger, nor past the end of the trigger', () => {
    const limited = job({ type: 'interval', everyMs: 1000, maxRuns: 100 });
    expect(planAhead(planOccurrences, limited, committed(limited, 5000), { anchor: 0, runs: 3 })).toBeUndefined();
    const date = job({ type: 'date', runDate: 5000 });
    expect(planAhead(planOccurrences, date, { fire: [5000], missedCount: 0, nextRunAt: null }, { anchor: 0, runs: 0 })).toBeUndefined();
    const ending = job({ type: 'interval', everyMs: 1000, endDate: 9000 });
    expect(planAhead(planOccurrences, ending, committed(ending, 5000), { anchor: 0, runs: 0 })?.occurrences).toEqual([7000, 8000, 9000]);
  });

  it('plans catching up only for a policy that fires the newest due occurrence alone', () => {
    for (const [coalesce, catchUp] of [['latest', true], ['all', false], ['earliest', false], ['skip', false]] as const) {
      const every = job({ type: 'interval', everyMs: 1000 }, { coalesce, misfireGraceTimeMs: 10_000 });
      expect(planAhead(planOccurrences, every, committed(every, 5000), { anchor: 0, runs: 0 })?.catchUp).toBe(catchUp);
    }
    // A grace shorter than the period: an occurrence claimed a period late is missed, not fired.
    const short = job({ type: 'interval', everyMs: 1000 }, { misfireGraceTimeMs: 500 });
    expect(planAhead(planOccurrences, short, committed(short, 5000), { anchor: 0, runs: 0 })?.catchUp).toBe(true);
  });

  it('plans for the built-in policy what asking it would (the closed form against the pairs checked)', () => {
    // A copy of the policy is asked, as a custom one is; the built-in one is not asked.
    const asked = (input: PlanInput): Plan => planOccurrences(input);
    // Each trigger with an occurrence of it, as the next run just committed.
    const triggers: [ScheduleDefinition['trigger'], number][] = [
      [{ type: 'interval', everyMs: 1000 }, 5000],
      [{ type: 'interval', everyMs: 7, startDate: 3 }, 3 + 7 * 20],
      [{ type: 'interval', everyMs: 1000, endDate: 9000 }, 5000],
      [{ type: 'interval', everyMs: 1000, endDate: 6500 }, 5000],
      [{ type: 'cron', expression: '* * * * * *', timezone: 'UTC' }, 4000],
      [{ type: 'cron', expression: '*/2,7 * * * * *', timezone: 'UTC' }, 4000],
      // London skips 01:00-02:00 on this day (its 01:30 runs at 02:00), and the trigger ends at 03:00 UTC.
      [{ type: 'cron', expression: '0 30 1,2,3 * * *', timezone: 'Europe/London', endDate: Date.UTC(2026, 2, 29, 3) }, Date.UTC(2026, 2, 28, 1, 30)],
    ];
    const graces = [null, 0, 0.5, 500, 999, 999.5, 1000, 1001, 2000, 10_000, -5];
    let compared = 0;
    for (const [trigger, first] of triggers) {
      for (const coalesce of ['latest', 'all', 'earliest', 'skip'] as const) {
        for (const maxCatchUp of [0, 1, 1.5, 2, 10]) {
          for (const misfireGraceTimeMs of graces) {
            const definition = job(trigger, { coalesce, maxCatchUp, misfireGraceTimeMs });
            const plan = committed(definition, first);
            // 12 occurrences, not AHEAD_OCCURRENCES: the asked policy's pairs grow with the square.
            expect(planAhead(planOccurrences, definition, plan, { anchor: 0, runs: 0 }, 12), JSON.stringify(definition)).toEqual(planAhead(asked, definition, plan, { anchor: 0, runs: 0 }, 12));
            compared++;
          }
        }
      }
    }
    expect(compared).toBe(triggers.length * 4 * 5 * graces.length);
  });

  it('stops where the policy would decide otherwise at the last instant the plan is used', () => {
    const every = job({ type: 'interval', everyMs: 1000 });
    // A policy that misses an occurrence claimed more than 500 ms late, from 8000 on.
    const fussy = (input: PlanInput): Plan => {
      const plan = planOccurrences(input);
      return input.nextRunAt >= 8000 && input.now > input.nextRunAt + 500 ? { fire: [], missedCount: 1, nextRunAt: plan.nextRunAt } : plan;
    };
    expect(planAhead(fussy, every, committed(every, 5000), { anchor: 0, runs: 0 })?.occurrences).toEqual([7000, 8000]);
  });
});
