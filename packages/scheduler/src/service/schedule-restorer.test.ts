import { InlineExecutor } from '../executors/inline-executor.js';
import pino from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { MemoryStore } from '../stores/memory-store.js';
import { scheduleHash } from '../stores/schedule-hash.js';
import type { ScheduleDefinition } from '../stores/store.js';
import type { TriggerSpec } from '../triggers/trigger.js';
import type { LocalJob } from '../runner/run.js';
import { BUILTIN_DEFAULTS, internPolicy } from './job-options.js';
import { ScheduleRestorer } from './schedule-restorer.js';

const T0 = Date.parse('2026-01-01T00:00:12.345Z');

function job(id: string, trigger: TriggerSpec, anchor = T0 - 300): LocalJob {
  const definition: ScheduleDefinition = { id, owner: 'app', trigger, policy: internPolicy(BUILTIN_DEFAULTS), args: [] };
  return { fn: () => undefined, executor: new InlineExecutor({ logger: pino({ level: 'silent' }), backoff: () => 0 }), target: undefined, owner: 'app', historyLimit: 10, definition, anchor, running: 0, attached: true, learnedRuns: 0, longRuns: null };
}

function setup(jobs: LocalJob[]) {
  const store = new MemoryStore({ clock: () => T0 });
  const handlers = new Map(jobs.map((j) => [j.definition.id, j]));
  const warnings: Record<string, unknown>[] = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => void warnings.push(JSON.parse(line) as Record<string, unknown>) });
  const wake = vi.fn();
  const health: unknown[] = [];
  const restorer = new ScheduleRestorer({ store, logger, owner: 'p1', handlers, wake, reportHealth: (e) => void health.push(e) });
  return { store, restorer, warnings, wake, health };
}

describe('ScheduleRestorer', () => {
  it('puts back every job of this process when the store says its data is gone, firing from now on in phase', async () => {
    const jobs = [
      job('every-second', { type: 'interval', everyMs: 1000 }),
      job('from-start', { type: 'interval', everyMs: 600, startDate: T0 - 250 }),
      job('minutely', { type: 'cron', expression: '0 * * * * *', timezone: 'UTC' }),
      job('once-ahead', { type: 'date', runDate: T0 + 5000 }),
      job('once-past', { type: 'date', runDate: T0 - 5000 }),
    ];
    const { store, restorer, warnings, wake, health } = setup(jobs);
    restorer.observe({ generation: '' });
    await vi.waitFor(() => expect(wake).toHaveBeenCalled());
    const next = async (id: string): Promise<number | null | undefined> => (await store.get(id))?.state.nextRunAt;
    expect(await next('every-second')).toBe(T0 + 700); // anchor T0 - 300, every second
    expect(await next('from-start')).toBe(T0 + 350); // start date T0 - 250, every 600 ms
    expect(await next('minutely')).toBe(Date.parse('2026-01-01T00:01:00.000Z'));
    expect(await next('once-ahead')).toBe(T0 + 5000);
    expect(await next('once-past')).toBeNull(); // whether it ran is lost: never run twice
    expect((await store.get('every-second'))?.state).toMatchObject({ anchor: T0 - 300, runs: 0, paused: false });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ restored: 5, owner: 'p1' });
    expect(health).toEqual([null]);
  });

  it('puts back only the lost ids it has, and leaves a schedule that exists as it is', async () => {
    const a = job('a', { type: 'interval', everyMs: 1000 });
    const b = job('b', { type: 'interval', everyMs: 1000 });
    const { store, restorer, warnings, wake } = setup([a, b]);
    const changed = { ...b.definition, trigger: { type: 'interval' as const, everyMs: 5000 } };
    await store.upsert({ definition: changed, hash: scheduleHash(changed), nextRunAt: T0 + 5000, anchor: T0, replaceExisting: false });
    restorer.observe({ lost: ['a', 'b', 'not-mine'] });
    await vi.waitFor(() => expect(wake).toHaveBeenCalled());
    expect((await store.list()).map((s) => s.definition.id).sort()).toEqual(['a', 'b']);
    expect((await store.get('b'))?.definition).toEqual(changed);
    expect(warnings[0]).toMatchObject({ restored: 1, jobs: ['a'] });
  });

  it('does nothing while the generation it first saw stays, and restores once it changes', async () => {
    const { store, restorer, wake } = setup([job('a', { type: 'interval', everyMs: 1000 })]);
    restorer.observe({ generation: 'g1' });
    restorer.observe({ generation: 'g1' });
    await new Promise((r) => setTimeout(r, 10));
    expect(await store.list()).toEqual([]);
    restorer.observe({ generation: 'g2' });
    await vi.waitFor(() => expect(wake).toHaveBeenCalledTimes(1));
    expect((await store.list()).map((s) => s.definition.id)).toEqual(['a']);
  });
});
