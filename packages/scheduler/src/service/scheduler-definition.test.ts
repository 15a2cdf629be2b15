import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import pino from 'pino';
import type { EventBus, ServiceCreateContext } from '@xcore/core';
import { schedulerService } from './scheduler-definition.js';
import { schedulerConfigSchema, type SchedulerConfig } from '../config/scheduler-config.js';
import type { SchedulerService } from './scheduler-service.js';
import { PluginScheduler } from './plugin-scheduler.js';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const at = (offsetMs: number): string => new Date(T0 + offsetMs).toISOString();

function context(config: SchedulerConfig): ServiceCreateContext<SchedulerConfig> {
  const events: EventBus = { on: () => () => undefined, once: () => () => undefined, has: () => false, emit: () => undefined };
  return {
    config, logger: pino({ level: 'silent' }), events, configFile: '',
    getService: ((name: string) => {
      throw new Error(`no ${name}`);
    }) as ServiceCreateContext<SchedulerConfig>['getService'],
    serviceNames: () => [],
  };
}

describe('schedulerService (the kernel-facing definition)', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(T0);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('fires only after afterPluginsStarted, gives plugins namespaced views, detaches stopped plugins, drains and disposes', async () => {
    const def = schedulerService;
    expect(def.name).toBe('scheduler');
    const instance = (await def.create(context(schedulerConfigSchema.parse({})))) as SchedulerService;
    await def.start?.(instance, { signal: new AbortController().signal, deadlineMs: 1000 });
    const view = def.forPlugin!(instance, 'orders') as SchedulerService;
    expect(view).toBeInstanceOf(PluginScheduler);
    const runs: string[] = [];
    await view.addJob((ctx) => void runs.push(`${ctx.jobId} ${ctx.scheduledAt.toISOString()}`), { id: 'sweep', every: '1s' });
    await vi.advanceTimersByTimeAsync(2500);
    expect(runs).toEqual([]);
    await def.afterPluginsStarted?.(instance);
    await vi.advanceTimersByTimeAsync(500);
    // Default coalesce latest: the two occurrences before firing started collapse into one (2 s), then 3 s.
    expect(runs).toEqual([`orders:sweep ${at(2000)}`, `orders:sweep ${at(3000)}`]);

    let signal: AbortSignal | undefined;
    await instance.addJob((ctx) => {
      signal = ctx.signal;
      return new Promise(() => undefined);
    }, { id: 'stuck', every: '1s' });
    (instance as unknown as { onPluginStopped(p: string): void }).onPluginStopped('orders');
    await vi.advanceTimersByTimeAsync(1000);
    expect(runs).toHaveLength(2);
    expect(signal?.aborted).toBe(false);

    const stopping = def.stop?.(instance, { signal: new AbortController().signal, deadlineMs: 5000 });
    // The scheduler keeps a tenth of the deadline (at most 1 s) to record aborted runs: it aborts at 4.5 s.
    await vi.advanceTimersByTimeAsync(4499);
    expect(signal?.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await stopping;
    expect(signal?.aborted).toBe(true);
    expect((await instance.history('stuck')).map((r) => r.status)).toEqual(['aborted']);
    await def.dispose?.(instance);
    await expect(instance.jobs()).rejects.toMatchObject({ code: 'XCORE_ERR_STORE_CLOSED' });
  });

  it('with enabled: false registers jobs but never fires', async () => {
    const def = schedulerService;
    const instance = (await def.create(context(schedulerConfigSchema.parse({ enabled: false })))) as SchedulerService;
    let runs = 0;
    await instance.addJob(() => void (runs += 1), { id: 'x', every: '1s' });
    await def.afterPluginsStarted?.(instance);
    await vi.advanceTimersByTimeAsync(5000);
    expect(runs).toBe(0);
    expect((await instance.jobs()).map((j) => j.id)).toEqual(['x']);
    await def.stop?.(instance, { signal: new AbortController().signal, deadlineMs: 0 });
    await def.dispose?.(instance);
  });

  it('takes claimWindowMs from the config: jobs due within one window run together', async () => {
    const runTimes = async (claimWindowMs: string | undefined): Promise<number> => {
      const config = schedulerConfigSchema.parse(claimWindowMs === undefined ? {} : { claimWindowMs });
      const instance = (await schedulerService.create(context(config))) as SchedulerService;
      const seen = new Set<number>();
      // Ten jobs due at ten different times spread over one second.
      for (let i = 0; i < 10; i++) {
        await instance.addJob(() => void seen.add(Date.now()), { id: `j${i}`, every: '1s', startDate: T0 + 100 * i });
      }
      await schedulerService.start?.(instance, { signal: new AbortController().signal, deadlineMs: 1000 });
      await schedulerService.afterPluginsStarted?.(instance);
      await vi.advanceTimersByTimeAsync(2000);
      await schedulerService.stop?.(instance, { signal: new AbortController().signal, deadlineMs: 0 });
      await schedulerService.dispose?.(instance);
      return seen.size;
    };
    // Memory store default: no window, each due time is its own wakeup.
    expect(await runTimes(undefined)).toBeGreaterThanOrEqual(19);
    // A 500 ms window: at most one wakeup per window (2 s: at most 5 distinct run times).
    expect(await runTimes('500ms')).toBeLessThanOrEqual(5);
  });
});
