/**
 * The scheduler's operator view on the memory store: listing by id with filters and cursors,
 * details, history pages, run-now through a run request, pause/resume/reschedule with events,
 * the remove rule, and the state.
 */
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryStore } from '../stores/memory-store.js';
import type { OperatorEvent } from './operator-types.js';
import { PluginScheduler } from './plugin-scheduler.js';
import { Scheduler } from './scheduler.js';
import { internalsOf } from './scheduler-internals.js';
import { inAnHour } from './scheduler.fixtures.js';

let core: Scheduler;
const HOUR = 3_600_000;
const noop = (): undefined => undefined;

beforeEach(() => {
  core = new Scheduler({ store: new MemoryStore(), logger: pino({ level: 'silent' }), owner: 'proc-1' });
});
afterEach(async () => {
  await core.stop({ deadlineMs: 1000 });
});

async function seed(): Promise<void> {
  const billing = new PluginScheduler(core, 'billing');
  await billing.addJob(noop, { id: 'sync', every: HOUR });
  await billing.addJob(() => {
    throw new Error('card declined');
  }, { id: 'charge', every: HOUR });
  await new PluginScheduler(core, 'mail').addJob(noop, { id: 'digest', cron: '0 9 * * *', timezone: 'Europe/Berlin' });
  await internalsOf(core).jobs.add({ owner: 'config' }, noop, { id: 'nightly', runDate: Date.now() + HOUR });
  await core.addJob(noop, { id: 'app-tick', every: HOUR, args: [1] });
}

describe('SchedulerOperatorView: reading', () => {
  it('lists every owner\'s jobs in id order, page by page, with filters', async () => {
    const seededAt = Date.now();
    await seed();
    const view = core.operator;
    const first = await view.listJobs({ limit: 2 });
    expect(first.items.map((j) => j.id)).toEqual(['app-tick', 'billing:charge']);
    const second = await view.listJobs({ limit: 2, cursor: first.nextCursor! });
    expect(second.items.map((j) => j.id)).toEqual(['billing:sync', 'mail:digest']);
    const third = await view.listJobs({ limit: 2, cursor: second.nextCursor! });
    expect(third.items.map((j) => j.id)).toEqual(['nightly']);
    expect(third.nextCursor).toBeNull();

    const sync = first.items[1]!;
    expect(sync).toMatchObject({ owner: 'billing', trigger: 'every 1h', triggerSpec: { type: 'interval', milliseconds: HOUR }, paused: false, running: 0, runningScope: 'process', attached: true, heldBy: ['proc-1'], removable: false, lastRun: null });
    // After the registration, not after now: the hour may have passed since, with nothing firing yet.
    expect(Date.parse(sync.nextRunAt!)).toBeGreaterThan(seededAt);

    await view.pause('mail:digest');
    await core.startFiring();
    await view.runNow('billing:charge', { requestedBy: 'token:ops', waitMs: 5000 });
    const ids = async (query: Parameters<typeof view.listJobs>[0]): Promise<string[]> => (await view.listJobs(query)).items.map((j) => j.id);
    expect(await ids({ owner: 'billing' })).toEqual(['billing:charge', 'billing:sync']);
    expect(await ids({ state: 'paused' })).toEqual(['mail:digest']);
    expect(await ids({ paused: false, state: 'scheduled' })).toEqual(['app-tick', 'billing:charge', 'billing:sync', 'nightly']);
    expect(await ids({ paused: true, state: 'scheduled' })).toEqual([]);
    expect(await ids({ failing: true })).toEqual(['billing:charge']);
    expect(await ids({ q: 'ing:' })).toEqual(['billing:charge', 'billing:sync']);
    expect(await ids({ state: 'running' })).toEqual([]);
    await expect(view.listJobs({ limit: 0 })).rejects.toMatchObject({ code: 'XCORE_ERR_JOB_QUERY_INVALID' });
    await expect(view.listJobs({ cursor: 'not-a-cursor!' })).rejects.toMatchObject({ code: 'XCORE_ERR_JOB_QUERY_INVALID' });
    await expect(view.listJobs({ state: 'sleeping' as never })).rejects.toMatchObject({ code: 'XCORE_ERR_JOB_QUERY_INVALID' });
  });

  it('gets a job with its policy, args and trigger in the YAML shape, and 404s an unknown one', async () => {
    await seed();
    const tick = await core.operator.getJob('app-tick');
    expect(tick).toMatchObject({ id: 'app-tick', owner: 'app', args: [1], runs: 0, policy: { maxInstances: 1, overlap: 'skip', retries: 0, timeoutMs: null } });
    expect((await core.operator.getJob('mail:digest')).triggerSpec).toEqual({ type: 'cron', expression: '0 9 * * *', timezone: 'Europe/Berlin' });
    expect((await core.operator.getJob('nightly')).triggerSpec).toMatchObject({ type: 'date', runDate: expect.stringMatching(/Z$/) });
    await expect(core.operator.getJob('ghost')).rejects.toMatchObject({ code: 'XCORE_ERR_JOB_NOT_FOUND' });
  });

  it('pages history newest first, and a run recorded between pages neither repeats nor hides one', async () => {
    let n = 0;
    // Runs only when asked: without a startDate the hourly interval also fires on the hour (UTC).
    await core.addJob(() => void n++, { id: 'counted', every: HOUR, startDate: inAnHour() });
    core.startFiring();
    for (let i = 0; i < 5; i++) await core.operator.runNow('counted', { requestedBy: `user-${i}`, waitMs: 5000 });
    const first = await core.operator.history('counted', { limit: 2 });
    expect(first.items.map((r) => r.requestedBy)).toEqual(['user-4', 'user-3']);
    await core.operator.runNow('counted', { requestedBy: 'late', waitMs: 5000 });
    const second = await core.operator.history('counted', { limit: 2, cursor: first.nextCursor! });
    expect(second.items.map((r) => r.requestedBy)).toEqual(['user-2', 'user-1']);
    const third = await core.operator.history('counted', { limit: 2, cursor: second.nextCursor! });
    expect(third.items.map((r) => r.requestedBy)).toEqual(['user-0']);
    expect(third.nextCursor).toBeNull();
    expect(n).toBe(6);
    await expect(core.operator.history('counted', { cursor: first.nextCursor!.slice(1) })).rejects.toMatchObject({ code: 'XCORE_ERR_JOB_QUERY_INVALID' });
  });

  it('counts once per 2 s: concurrent and close calls share one count', async () => {
    await seed();
    const first = await core.operator.state();
    await core.addJob(noop, { id: 'later', every: HOUR });
    const [a, b] = await Promise.all([core.operator.state(), core.operator.state()]);
    expect([a.counts.jobs, b.counts.jobs, a.countedAt]).toEqual([5, 5, first.countedAt]);
  });

  it('reports the state: backend, health, firing, processes and counts', async () => {
    await seed();
    await core.operator.pause('billing:sync');
    expect(await core.operator.state()).toEqual({
      backend: 'memory', owner: 'proc-1', degraded: null, firing: false, processes: 1, processList: [],
      counts: { jobs: 5, paused: 1, failing: 0, running: 0 }, countedAt: expect.stringMatching(/Z$/), runningScope: 'process',
    });
  });
});

describe('SchedulerOperatorView: acting', () => {
  it('runs a job now through a run request: once, with the args given, marked manual with who asked', async () => {
    const seen: unknown[][] = [];
    // Runs only when asked: without a startDate the hourly interval also fires on the hour (UTC).
    await core.addJob((ctx) => void seen.push([...ctx.args]), { id: 'echo', every: HOUR, startDate: inAnHour(), args: ['default'] });
    core.startFiring();
    const queued = await core.operator.runNow('echo', { requestedBy: 'token:ops', args: ['given', 2] });
    expect(queued).toMatchObject({ jobId: 'echo', requestedBy: 'token:ops', status: expect.stringMatching(/^(pending|running|finished)$/) });
    const done = await core.operator.runRequest(queued.requestId, { waitMs: 5000 });
    expect(done).toMatchObject({ status: 'finished', takenBy: 'proc-1', record: { status: 'succeeded', manual: true, requestedBy: 'token:ops', requestId: queued.requestId, owner: 'proc-1' } });
    expect(seen).toEqual([['given', 2]]);
    const [last] = (await core.operator.history('echo')).items;
    expect(last).toMatchObject({ manual: true, requestedBy: 'token:ops', requestId: queued.requestId });
    await expect(core.operator.runRequest('00000000-0000-0000-0000-000000000000')).rejects.toMatchObject({ code: 'XCORE_ERR_RUN_REQUEST_NOT_FOUND' });
    await expect(core.operator.runNow('echo', { requestedBy: 'x', args: 'nope' as never })).rejects.toMatchObject({ code: 'XCORE_ERR_JOB_INVALID' });
    await expect(core.operator.runNow('ghost', { requestedBy: 'x' })).rejects.toMatchObject({ code: 'XCORE_ERR_JOB_NOT_FOUND' });
  });

  it('refuses to run a job no live process holds (its plugin stopped), queueing nothing', async () => {
    await new PluginScheduler(core, 'reports').addJob(noop, { id: 'weekly', every: HOUR });
    core.startFiring();
    core.onPluginStopped('reports');
    await expect(core.operator.runNow('reports:weekly', { requestedBy: 'x' })).rejects.toMatchObject({
      code: 'XCORE_ERR_JOB_RUN_REFUSED',
      message: 'Job "reports:weekly" belongs to plugin "reports", and plugin "reports" runs in no process sharing the store, so nothing could run it; nothing was queued. Start plugin "reports", then ask again.',
    });
    expect(await core.store.pendingRunRequests(10)).toEqual([]);
  });

  it('pauses, resumes and reschedules any owner\'s job, each emitting its event to subscribers', async () => {
    await seed();
    const events: OperatorEvent[] = [];
    const off = core.operator.subscribe((e) => void events.push(e), { owner: 'billing' });
    expect((await core.operator.pause('billing:sync')).paused).toBe(true);
    expect((await core.operator.resume('billing:sync')).paused).toBe(false);
    const moved = await core.operator.reschedule('billing:sync', { type: 'cron', expression: '*/5 * * * *' });
    expect(moved).toMatchObject({ trigger: 'cron "*/5 * * * *" (UTC)', owner: 'billing' });
    await core.operator.pause('mail:digest');
    off();
    await core.operator.resume('mail:digest');
    expect(events.map((e) => [e.type, e.jobId, e.owner])).toEqual([
      ['job.paused', 'billing:sync', 'billing'],
      ['job.resumed', 'billing:sync', 'billing'],
      ['job.modified', 'billing:sync', 'billing'],
    ]);
    await expect(core.operator.reschedule('billing:sync', { type: 'cron', expression: 'every day' })).rejects.toMatchObject({ code: 'XCORE_ERR_CRON_INVALID' });
    await expect(core.operator.pause('ghost')).rejects.toMatchObject({ code: 'XCORE_ERR_JOB_NOT_FOUND' });
  });

  it('removes a job only where its owner allows it', async () => {
    const billing = new PluginScheduler(core, 'billing');
    await billing.addJob(noop, { id: 'held', every: HOUR });
    await billing.addJob(noop, { id: 'disposable', every: HOUR, removable: true });
    await internalsOf(core).jobs.add({ owner: 'config' }, noop, { id: 'nightly', every: HOUR });
    await expect(core.operator.remove('billing:held')).rejects.toMatchObject({
      code: 'XCORE_ERR_JOB_REMOVE_REFUSED',
      message: 'Job "billing:held" belongs to plugin "billing" and the plugin runs in this process: it would be registered again, so it was not removed. Pause it to stop it now; stop or uninstall plugin "billing" first, or have it register the job with removable: true.',
    });
    await expect(core.operator.remove('nightly')).rejects.toMatchObject({ code: 'XCORE_ERR_JOB_REMOVE_REFUSED', message: expect.stringContaining('delete it from xcore.yaml') });
    expect((await core.operator.getJob('billing:held')).removable).toBe(false);
    await core.operator.remove('billing:disposable');
    core.onPluginStopped('billing');
    await core.operator.remove('billing:held');
    expect((await core.operator.listJobs()).items.map((j) => j.id)).toEqual(['nightly']);
    await expect(core.operator.remove('billing:held')).rejects.toMatchObject({ code: 'XCORE_ERR_JOB_NOT_FOUND' });
  });
});
