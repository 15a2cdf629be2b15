import { afterEach, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { MemoryStore } from '../stores/memory-store.js';
import { Scheduler } from './scheduler.js';

const MODULE = new URL('./fixtures/named-exports.mjs', import.meta.url);

let scheduler: Scheduler | undefined;
afterEach(async () => {
  await scheduler?.stop({ deadlineMs: 0 });
  await scheduler?.dispose();
  scheduler = undefined;
});

describe('inline module jobs (addJob with module and export, executor inline)', () => {
  it('imports the module in this process and runs its export', async () => {
    const s = (scheduler = new Scheduler({ store: new MemoryStore(), logger: pino({ level: 'silent' }) }));
    const finished = new Promise<{ status: string; result: unknown }>((resolve) => s.onRunFinished(({ record, result }) => resolve({ status: record.status, result })));
    await s.addJob({ id: 'colon', runDate: Date.now() + 20, executor: 'inline', module: MODULE, export: 'daily' });
    s.startFiring();
    await expect(finished).resolves.toEqual({ status: 'succeeded', result: 'ran colon' });
  });

  it.each([
    ['a missing export', 'nope', `Job "bad": ${fileURLToPath(MODULE)} has no export "nope" (exports: daily, limit). Fix module/export; nothing was stored.`],
    ['an export that is not a function', 'limit', `Job "bad": export "limit" of ${fileURLToPath(MODULE)} is a number, not a function. Fix module/export; nothing was stored.`],
  ])('refuses %s once, naming the job and the module', async (_, exportName, message) => {
    const s = (scheduler = new Scheduler({ store: new MemoryStore(), logger: pino({ level: 'silent' }) }));
    await expect(s.addJob({ id: 'bad', every: 60_000, executor: 'inline', module: MODULE, export: exportName })).rejects.toMatchObject({ code: 'XCORE_ERR_JOB_EXECUTOR_INVALID', message });
    await expect(s.getJob('bad')).resolves.toBeUndefined();
  });
});
