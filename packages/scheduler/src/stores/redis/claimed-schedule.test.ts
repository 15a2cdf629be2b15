import { describe, expect, it } from 'vitest';
import type { RunRecord, ScheduleDefinition } from '../store.js';
import { ClaimedSchedule, decodeSchedule } from './claimed-schedule.js';

const definition = { id: 'job' } as unknown as ScheduleDefinition;
const record: RunRecord = { jobId: 'job', scheduledAt: 1000, startedAt: 1001, finishedAt: 1002, status: 'succeeded', attempts: 1 };
// SCHEDULE_FIELDS order: def, hash, next, paused, runs, anchor, created, updated, last, token, cowner, lease
const fields = (last: string): string[] => ['{}', 'h1', '5000', '0', '3', '100', '90', '95', last, '7', 'owner', '35000'];

describe('ClaimedSchedule', () => {
  it('is the claim, its schedule and its state, with the values of the hash fields', () => {
    const claim = new ClaimedSchedule(definition, fields(JSON.stringify(record)));
    expect(claim.schedule).toBe(claim);
    expect(claim.schedule.state).toBe(claim);
    expect([claim.token, claim.leaseUntil, claim.schedule.definition]).toEqual([7, 35000, definition]);
    const { state } = claim.schedule;
    expect([state.nextRunAt, state.paused, state.runs, state.anchor, state.createdAt, state.updatedAt, state.hash, state.token])
      .toEqual([5000, false, 3, 100, 90, 95, 'h1', 7]);
  });

  it('parses lastRun when read, once, to the same record decodeSchedule gives', () => {
    const claim = new ClaimedSchedule(definition, fields(JSON.stringify(record)));
    const first = claim.schedule.state.lastRun;
    expect(first).toEqual(record);
    expect(claim.schedule.state.lastRun).toBe(first);
    expect(decodeSchedule(fields(JSON.stringify(record)), definition).state.lastRun).toEqual(record);
  });

  it('has no lastRun and no next run when the fields are empty', () => {
    const claim = new ClaimedSchedule(definition, ['{}', 'h1', '', '1', '0', '0', '0', '0', '', '0', '', '']);
    expect([claim.schedule.state.lastRun, claim.schedule.state.nextRunAt, claim.schedule.state.paused]).toEqual([null, null, true]);
  });
});
