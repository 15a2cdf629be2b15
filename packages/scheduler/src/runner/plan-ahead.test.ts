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
    expect(ahead).toEqual({ graceMs: 250, occurrences: Array.from({ length: AHEAD_OCCURRENCES }, (_, i) => 7000 + i * 1000) });
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
