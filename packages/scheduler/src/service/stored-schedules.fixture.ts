/**
 * Child-process fixture of `stored-schedules.test.ts`: schedules that no API call can create any
 * more (written by an older version or by hand into a shared store) are stored directly, with a
 * handler registered, then the scheduler fires for a while and lists them. Prints one JSON line
 * with what `jobs()` and `history()` returned; a crash or a hang is what the test looks for.
 *
 * Run from the repository root: `node --import tsx packages/scheduler/src/service/stored-schedules.fixture.ts`.
 */
import pino from 'pino';
import { MemoryStore } from '../stores/memory-store.js';
import { scheduleHash } from '../stores/schedule-hash.js';
import type { ScheduleDefinition, SchedulePolicy } from '../stores/store.js';
import type { TriggerSpec } from '../triggers/trigger.js';
import { Scheduler } from './scheduler.js';

const store = new MemoryStore();
const scheduler = new Scheduler({ store, logger: pino({ level: 'silent' }), owner: 'fixture' });
const now = Date.now();

/** Registers `id` normally (so this process has its handler), then overwrites its stored definition. */
async function storeRaw(id: string, trigger: TriggerSpec, nextRunAt: number | null, policy: Partial<SchedulePolicy> = {}): Promise<void> {
  const info = await scheduler.addJob(() => undefined, { id, every: '1h' });
  const stored = (await store.get(info.id))!;
  const definition: ScheduleDefinition = { ...stored.definition, trigger, policy: { ...stored.definition.policy, ...policy } };
  await store.upsert({ definition, hash: scheduleHash(definition), nextRunAt, anchor: now, replaceExisting: true });
}

await storeRaw('interval-from-minus-1e20', { type: 'interval', everyMs: 1000, startDate: -1e20 }, now - 1);
await storeRaw('interval-from-1e20', { type: 'interval', everyMs: 1000, startDate: 1e20 }, 1e20);
await storeRaw('cron-from-minus-1e20', { type: 'cron', expression: '* * * * * *', timezone: 'UTC', startDate: -1e20 }, now - 1);
await storeRaw('cron-due-at-minus-1e20', { type: 'cron', expression: '* * * * * *', timezone: 'UTC' }, -1e20);
await storeRaw('date-at-1e20', { type: 'date', runDate: 1e20 }, 1e20);
await storeRaw('huge-catch-up', { type: 'interval', everyMs: 1, startDate: 0 }, 1, { coalesce: 'all', maxCatchUp: 1e9, misfireGraceTime: null } as Partial<SchedulePolicy>);

scheduler.startFiring();
await new Promise((resolve) => setTimeout(resolve, 1_500));
const jobs = await scheduler.jobs();
const one = await scheduler.getJob('interval-from-1e20');
const runs: Record<string, number> = {};
for (const job of jobs) runs[job.id] = (await scheduler.history(job.id, { limit: 10_000 })).length;
await scheduler.stop({ deadlineMs: 1_000 });
process.stdout.write(`${JSON.stringify({ jobs: jobs.map((j) => ({ id: j.id, trigger: j.trigger, nextRunAt: j.nextRunAt })), one: one?.trigger, runs })}\n`);
