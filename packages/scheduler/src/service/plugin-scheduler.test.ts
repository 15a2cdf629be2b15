import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import pino from 'pino';
import { MemoryStore } from '../stores/memory-store.js';
import { Scheduler } from './scheduler.js';
import { PluginScheduler } from './plugin-scheduler.js';
import { Cron, Interval } from '../decorators/decorators.js';
import type { JobContext } from './scheduler-service.js';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const at = (offsetMs: number): string => new Date(T0 + offsetMs).toISOString();

describe('plugin views and ownership', () => {
  let core: Scheduler;
  const view = (plugin: string): PluginScheduler => new PluginScheduler(core, plugin);

  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(T0);
    core = new Scheduler({ store: new MemoryStore(), logger: pino({ level: 'silent' }), owner: 'test' });
  });
  afterEach(async () => {
    const stopping = core.stop({ deadlineMs: 0 });
    await vi.advanceTimersByTimeAsync(0);
    await stopping;
    vi.useRealTimers();
  });

  it('namespaces ids by plugin and shows each plugin only its own jobs', async () => {
    const billing = view('billing');
    const mail = view('mail');
    const info = await billing.addJob(() => undefined, { id: 'sync', every: '1m' });
    await mail.addJob(() => undefined, { id: 'sync', every: '1m' });
    expect([info.id, info.owner]).toEqual(['billing:sync', 'billing']);
    expect((await billing.jobs()).map((j) => j.id)).toEqual(['billing:sync']);
    expect((await core.jobs()).map((j) => j.id)).toEqual(['billing:sync', 'mail:sync']);
    expect((await billing.getJob('sync'))?.id).toBe('billing:sync');
    expect((await billing.getJob('billing:sync'))?.id).toBe('billing:sync');
    expect(await billing.getJob('mail:sync')).toBeUndefined();
    await expect(billing.pauseJob('mail:sync')).rejects.toMatchObject({ code: 'XCORE_ERR_JOB_NOT_FOUND' });
    await expect(billing.addJob(() => undefined, { id: 'sync', every: '5m' })).rejects.toMatchObject({ code: 'XCORE_ERR_JOB_CONFLICT' });
  });

  it('tells a plugin touching another owner\'s job whose it is and how to reach it', async () => {
    await view('mail').addJob(() => undefined, { id: 'digest', every: '1m' });
    await core.addJob(() => undefined, { id: 'global', every: '1m' });
    const billing = view('billing');
    await expect(billing.pauseJob('mail:digest')).rejects.toMatchObject({
      code: 'XCORE_ERR_JOB_NOT_FOUND',
      message: 'Job "mail:digest" belongs to plugin "mail", not to plugin "billing": a plugin sees and changes only its own jobs. Ask plugin "mail" through one of its actions (ctx.call("mail", ...)), or use the operator API (/admin/v1/jobs/mail%3Adigest).',
    });
    await expect(billing.runJob('global')).rejects.toMatchObject({ message: expect.stringMatching(/^Job "global" belongs to the app, not to plugin "billing"/) });
    await expect(billing.history('nothing')).rejects.toMatchObject({ code: 'XCORE_ERR_JOB_NOT_FOUND', message: 'Job "billing:nothing" not found among plugin "billing"\'s jobs; jobs() lists the ids that exist.' });
    expect((await core.getJob('mail:digest'))?.paused).toBe(false);
  });

  it('delivers a plugin only its own job events', async () => {
    const a = view('a');
    const b = view('b');
    const seen: string[] = [];
    a.on('job.succeeded', (p) => void seen.push(p.jobId));
    await a.addJob(() => undefined, { id: 'x', every: '1s' });
    await b.addJob(() => undefined, { id: 'x', every: '1s' });
    core.startFiring();
    await vi.advanceTimersByTimeAsync(2000);
    expect(seen).toEqual(['a:x', 'a:x']);
  });

  it('detaches a stopped plugin, refuses its view, and resumes its schedule with the same phase after a reload', async () => {
    const first = view('p');
    const runs: string[] = [];
    const record = (ctx: JobContext): void => void runs.push(`${ctx.jobId} ${ctx.scheduledAt.toISOString()}`);
    await first.addJob(record, { id: 'beat', every: '5s' });
    const other: string[] = [];
    await view('q').addJob(() => void other.push('q'), { id: 'beat', every: '5s' });
    core.startFiring();
    await vi.advanceTimersByTimeAsync(6000);
    expect(runs).toEqual([`p:beat ${at(5000)}`]);

    core.onPluginStopped('p');
    await expect(first.addJob(record, { id: 'late', every: '1s' })).rejects.toMatchObject({ code: 'XCORE_ERR_SCHEDULER_PLUGIN_STOPPED' });
    await expect(first.pauseJob('beat')).rejects.toMatchObject({ code: 'XCORE_ERR_SCHEDULER_PLUGIN_STOPPED' });
    expect((await first.getJob('beat'))?.attached).toBe(false);
    await vi.advanceTimersByTimeAsync(10_000); // 10 s and 15 s pass without p's handler
    expect(runs).toEqual([`p:beat ${at(5000)}`]);
    expect(other).toHaveLength(3);

    const reloaded = view('p');
    await expect(first.addJob(record, { id: 'late', every: '1s' })).rejects.toMatchObject({ code: 'XCORE_ERR_SCHEDULER_PLUGIN_STOPPED' });
    const info = await reloaded.addJob(record, { id: 'beat', every: '5s' });
    expect(info.attached).toBe(true);
    // Default policy (coalesce latest, grace 60 s): the gap collapses into one run of 15 s, then phase 20 s.
    await vi.advanceTimersByTimeAsync(0);
    await vi.advanceTimersByTimeAsync(5000);
    expect(runs).toEqual([`p:beat ${at(5000)}`, `p:beat ${at(15_000)}`, `p:beat ${at(20_000)}`]);
  });

  it('aborts a stopped plugin\'s running jobs', async () => {
    const p = view('p');
    let signal: AbortSignal | undefined;
    await p.addJob((ctx) => {
      signal = ctx.signal;
      return new Promise(() => undefined);
    }, { id: 'long', every: '1s' });
    core.startFiring();
    await vi.advanceTimersByTimeAsync(1000);
    core.onPluginStopped('p');
    await vi.advanceTimersByTimeAsync(0);
    expect((signal?.reason as { code: string }).code).toBe('XCORE_ERR_JOB_ABORTED');
    expect((await core.history('p:long')).map((r) => r.status)).toEqual(['aborted']);
  });

  it('registers TC39-decorated methods bound to the instance, namespaced by plugin', async () => {
    class Reports {
      readonly seen: string[] = [];
      @Interval('2s')
      refresh(ctx: JobContext): void {
        this.seen.push(`refresh ${ctx.scheduledAt.toISOString()}`);
      }
      @Cron('*/3 * * * * *', { id: 'digest', args: ['x'] })
      compile(ctx: JobContext): void {
        this.seen.push(`digest ${ctx.scheduledAt.toISOString()} ${String(ctx.args[0])}`);
      }
    }
    const reports = new Reports();
    const infos = await view('reports').register(reports);
    expect(infos.map((i) => [i.id, i.trigger])).toEqual([['reports:refresh', 'every 2s'], ['reports:digest', expect.stringContaining('*/3 * * * * *')]]);
    core.startFiring();
    await vi.advanceTimersByTimeAsync(4000);
    expect(reports.seen).toEqual([`refresh ${at(2000)}`, `digest ${at(3000)} x`, `refresh ${at(4000)}`]);
    await expect(core.register({})).rejects.toMatchObject({ code: 'XCORE_ERR_JOB_INVALID' });
  });
  it('delivers a plugin only its own failures, and drops its hooks when it stops', async () => {
    const a = view('a');
    const b = view('b');
    const failures: string[] = [];
    a.onFailure((f) => void failures.push(f.jobId));
    const boom = (): void => {
      throw new Error('boom');
    };
    await a.addJob(boom, { id: 'x', every: '1s' });
    await b.addJob(boom, { id: 'x', every: '1s' });
    core.startFiring();
    await vi.advanceTimersByTimeAsync(1000);
    expect(failures).toEqual(['a:x']);
    core.onPluginStopped('a');
    await view('a').addJob(boom, { id: 'x', every: '1s' });
    await vi.advanceTimersByTimeAsync(1000);
    expect(failures).toEqual(['a:x']);
  });
});
