/**
 * The `heartbeat` plugin: samples this process's event-loop lag and memory on an interval and
 * reports them to the `health` plugin as the check `heartbeat`.
 *
 * @remarks
 * The beat is a scheduler interval job (`heartbeat:beat`, every `interval`), so it shows up in
 * `scheduler.jobs()`, can be paused or run now, and stops with the plugin. Depends on `health`
 * (`^1.0.0` in its manifest) and reaches it with
 * `ctx.call('health', 'report', ...)`. Each report carries a ttl of three intervals, so if this
 * process stops beating (blocked event loop, stuck plugin) the check goes stale and health turns
 * `down`. Action `beat` runs one beat now and returns the sample and verdict.
 *
 * @packageDocumentation
 */
import { definePlugin, duration, type PluginContext } from '@xcore/core';
import type {} from '@xcore/scheduler';
import { z } from 'zod';
import { startVitalsSampler, type VitalsSampler } from './sampler.js';
import { assessVitals, type VitalsSample, type VitalsVerdict } from './vitals.js';

export type { VitalsSample, VitalsThresholds, VitalsVerdict } from './vitals.js';
export { assessVitals } from './vitals.js';

/** Config of `plugins.config.heartbeat`. */
export const heartbeatConfigSchema = z
  .strictObject({
    /** Time between beats. @defaultValue `'30s'` */
    interval: duration().default(30_000),
    /** Name of the check reported to `health`. @defaultValue `'heartbeat'` */
    check: z.string().min(1).default('heartbeat'),
    /** p99 event-loop lag that warns. @defaultValue `'100ms'` */
    lagWarn: duration().default(100),
    /** p99 event-loop lag that fails. @defaultValue `'1s'` */
    lagFail: duration().default(1_000),
    /** Heap used over heap limit that warns (0-1). @defaultValue `0.85` */
    heapWarnRatio: z.number().gt(0).max(1).default(0.85),
  })
  .prefault({});

type HeartbeatConfig = z.output<typeof heartbeatConfigSchema>;

let sampler: VitalsSampler | undefined;

/**
 * One beat: sample, judge, report to `health`, log when not ok.
 *
 * @remarks
 * Never throws: a failed report (health stopped or slow) is logged, so it can run from a timer or
 * a scheduler job alike.
 */
export async function beat(ctx: PluginContext<HeartbeatConfig>): Promise<{ sample: VitalsSample; verdict: VitalsVerdict } | undefined> {
  if (sampler === undefined) return undefined;
  const sample = sampler.sample();
  const verdict = assessVitals(sample, { lagWarnMs: ctx.config.lagWarn, lagFailMs: ctx.config.lagFail, heapWarnRatio: ctx.config.heapWarnRatio });
  try {
    await ctx.call('health', 'report', { check: ctx.config.check, status: verdict.status, detail: verdict.detail, ttlMs: ctx.config.interval * 3 });
  } catch (err) {
    ctx.logger.warn({ err }, 'could not report to health');
  }
  if (verdict.status === 'ok') ctx.logger.info({ ...sample }, 'heartbeat');
  else ctx.logger.warn({ ...sample, status: verdict.status }, verdict.detail);
  return { sample, verdict };
}

export default definePlugin({
  configSchema: heartbeatConfigSchema,
  async onStart(ctx) {
    sampler = startVitalsSampler();
    await beat(ctx);
    // A beat must finish well within its interval; one that hangs is aborted rather than stacking up.
    await ctx.getService('scheduler').addJob(() => beat(ctx), {
      id: 'beat',
      every: ctx.config.interval,
      timeout: ctx.config.interval,
      coalesce: 'latest',
    });
    ctx.logger.info({ intervalMs: ctx.config.interval, check: ctx.config.check }, 'heartbeat started');
  },
  onStop() {
    // The scheduler detaches this plugin's jobs when it stops; only the sampler is ours to close.
    sampler?.close();
    sampler = undefined;
  },
  actions: ['beat'],
  handle: (_action, _payload, ctx) => beat(ctx),
});
