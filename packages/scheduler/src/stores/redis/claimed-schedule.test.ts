import { describe, expect, it } from 'vitest';
import type { RunRecord, ScheduleDefinition } from '../store.js';
import { ClaimedSchedule, decodeSchedule } from './claimed-schedule.js';

const definition = { id: 'job' } as unknown as ScheduleDefinition;
const record: RunRecord = { jobId: 'job', scheduledAt: 1000, startedAt: 1001, finishedAt: 1002, status: 'succeeded', attempts: 1, error: 'a, b' };
// SCHEDULE_FIELDS order: def, hash, next, paused, runs, anchor, created, updated, last, token, cowner, lease
const fields = (last: string): string[] => ['{}', 'h1', '5000', '0', '3', '100', '90', '95', last, '7', 'owner', '35000'];
// claim-due-3.lua's packed state: next, paused, runs, anchor, created, updated, token, last
const state = (last: string): string => `5000,0,3,100,90,95,7,${last}`;

describe('ClaimedSchedule', () => {
  it('is the claim, its schedule and its state, with the values of the packed state', () => {
    const claim = new ClaimedSchedule(definition, 'h1', state(JSON.stringify(record)), 35000);
    expect(claim.schedule).toBe(claim);
    expect(claim.schedule.state).toBe(claim);
    expect([claim.token, claim.leaseUntil, claim.schedule.definition]).toEqual([7, 35000, definition]);
    const { state: s } = claim.schedule;
    expect([s.nextRunAt, s.paused, s.runs, s.anchor, s.createdAt, s.updatedAt, s.hash, s.token])
      .toEqual([5000, false, 3, 100, 90, 95, 'h1', 7]);
  });

  it('parses lastRun (which may hold commas) when read, once, to the same record decodeSchedule gives', () => {
    const claim = new ClaimedSchedule(definition, 'h1', state(JSON.stringify(record)), 35000);
    const first = claim.schedule.state.lastRun;
    expect(first).toEqual(record);
    expect(claim.schedule.state.lastRun).toBe(first);
    expect(decodeSchedule(fields(JSON.stringify(record)), definition).state.lastRun).toEqual(record);
  });

  it('has no lastRun and no next run when the fields are empty, and is paused when paused is 1', () => {
    const claim = new ClaimedSchedule(definition, 'h1', ',1,0,0,0,0,0,', 35000);
    expect([claim.schedule.state.lastRun, claim.schedule.state.nextRunAt, claim.schedule.state.paused]).toEqual([null, null, true]);
    expect(new ClaimedSchedule(definition, 'h1', '5,10,0,0,0,0,0,', 1).paused).toBe(false);
  });
});
