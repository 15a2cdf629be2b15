/**
 * Property-based tests of the public scheduler API on the memory store: arbitrary calls with
 * arbitrary values, handlers that throw anything, and arbitrary `Scheduler` options (see
 * `api-properties.fixtures.ts` for what is generated and what must hold).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MemoryStore } from '../stores/memory-store.js';
import { failOnUnhandledRejections } from './scheduler.fixtures.js';
import { callsArb, checkCalls, tally, checkHostileBody, checkSchedulerOptions, hostileBodyArb, schedulerOptionsArb } from './api-properties.fixtures.js';

describe('the scheduler API under arbitrary input (memory store)', () => {
  failOnUnhandledRejections();

  it('answers every call with a result or a coded error, stores nothing it refused, and every job reads back', async () => {
    await fc.assert(fc.asyncProperty(callsArb, (calls) => checkCalls(new MemoryStore(), calls)), { numRuns: 200 });
    // Both paths ran: calls were accepted (and then read back and fired) and refused.
    for (const op of ['addJob', 'modifyJob', 'rescheduleJob', 'pauseJob', 'runJob']) expect([op, tally[op]!.accepted > 0, tally[op]!.refused > 0]).toEqual([op, true, true]);
  }, 240_000);

  it('records a run as failed whatever its job throws or rejects with, and stop() resolves', async () => {
    await fc.assert(fc.asyncProperty(hostileBodyArb, fc.boolean(), (body, firing) => checkHostileBody(new MemoryStore(), body, firing)), { numRuns: 150 });
  }, 240_000);

  it('builds a working scheduler or refuses its options with a coded error', async () => {
    await fc.assert(fc.asyncProperty(schedulerOptionsArb, (options) => checkSchedulerOptions(new MemoryStore(), options)), { numRuns: 150 });
  }, 240_000);
});
