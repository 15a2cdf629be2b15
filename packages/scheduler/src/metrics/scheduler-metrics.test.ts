/**
 * The scheduler's OpenTelemetry instruments and spans, read by the real OpenTelemetry SDK 2
 * (`@opentelemetry/sdk-metrics` with an in-memory reader, `@opentelemetry/sdk-trace-base` with an
 * in-memory span exporter): names, units, attributes, values, and one span per run.
 */
import { INVALID_SPAN_CONTEXT, SpanStatusCode, trace, type Tracer } from '@opentelemetry/api';
import { MeterProvider, MetricReader, type DataPoint, type Histogram, type MetricData } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryStore } from '../stores/memory-store.js';
import { Scheduler } from '../service/scheduler.js';
import { NO_TRACER_RECHECK_MS, SchedulerMetrics } from './scheduler-metrics.js';
import { SucceededRunColumns } from '../runner/succeeded-runs.js';
import type { ScheduleDefinition } from '../stores/store.js';
import { inAnHour } from '../service/scheduler.fixtures.js';

/** A reader collected on demand. */
class TestReader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

let reader: TestReader;
let meterProvider: MeterProvider;
let spans: InMemorySpanExporter;
let tracerProvider: BasicTracerProvider;

beforeEach(() => {
  reader = new TestReader();
  meterProvider = new MeterProvider({ readers: [reader] });
  spans = new InMemorySpanExporter();
  tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
});
afterEach(async () => {
  await meterProvider.shutdown();
  await tracerProvider.shutdown();
});

async function collected(): Promise<Map<string, MetricData>> {
  const { resourceMetrics } = await reader.collect();
  return new Map(resourceMetrics.scopeMetrics.filter((s) => s.scope.name === '@xcore/scheduler').flatMap((s) => s.metrics).map((m) => [m.descriptor.name, m]));
}

const points = (m: MetricData | undefined): DataPoint<unknown>[] => (m?.dataPoints ?? []) as DataPoint<unknown>[];

describe('scheduler metrics through the OpenTelemetry SDK', () => {
  it('records runs by job and outcome, durations, lateness, store calls and state, with a span per run', async () => {
    const scheduler = new Scheduler({
      store: new MemoryStore(), logger: pino({ level: 'silent' }), owner: 'p1',
      metrics: { meter: meterProvider.getMeter('@xcore/scheduler'), tracer: tracerProvider.getTracer('@xcore/scheduler') },
    });
    const scheduled = new Promise<void>((resolve) => scheduler.on('job.succeeded', (e) => e.record.manual !== true && resolve()));
    await scheduler.addJob(() => 'ok', { id: 'billing:sync', runDate: new Date(Date.now() + 30) });
    // Runs only when asked: without a startDate the hourly interval also fires on the hour (UTC).
    await scheduler.addJob(() => {
      throw new TypeError('card declined');
    }, { id: 'charge', every: '1h', startDate: inAnHour(), retries: 1, retryDelay: '1ms' });
    scheduler.startFiring();
    await scheduled;
    await scheduler.runJob('billing:sync');
    await scheduler.runJob('charge');

    const m = await collected();
    const runs = m.get('xcore.scheduler.runs')!;
    expect(runs.descriptor.unit).toBe('{run}');
    expect(points(runs).map((p) => [p.attributes, p.value])).toEqual([
      [{ 'xcore.job.id': 'billing:sync', 'xcore.job.owner': 'app', 'xcore.run.outcome': 'succeeded' }, 2],
      [{ 'xcore.job.id': 'charge', 'xcore.job.owner': 'app', 'xcore.run.outcome': 'failed' }, 1],
    ]);
    const duration = m.get('xcore.scheduler.run.duration')!;
    expect(duration.descriptor.unit).toBe('s');
    expect(points(duration).map((p) => [p.attributes['xcore.job.id'], (p.value as Histogram).count])).toEqual([['billing:sync', 2], ['charge', 1]]);
    const lateness = m.get('xcore.scheduler.run.start_lateness')!;
    expect(lateness.descriptor.unit).toBe('s');
    expect(points(lateness).map((p) => [p.attributes['xcore.job.id'], (p.value as Histogram).count])).toEqual([['billing:sync', 1]]);
    const store = points(m.get('xcore.scheduler.store.operation.duration'));
    // The scheduled run's record is written with its batch (recordRunsNow), the manual ones one by one.
    expect(store.find((p) => p.attributes['xcore.store.operation'] === 'recordRunsNow')?.value).toMatchObject({ count: 1 });
    expect(store.find((p) => p.attributes['xcore.store.operation'] === 'recordRunNow')?.value).toMatchObject({ count: 2 });
    expect(points(m.get('xcore.scheduler.runs.active')).map((p) => p.value)).toEqual([0]);
    expect(points(m.get('xcore.scheduler.degraded')).map((p) => p.value)).toEqual([0]);

    const finished = spans.getFinishedSpans();
    expect(finished.map((s) => [s.name, s.attributes['xcore.job.id'], s.attributes['xcore.run.outcome'], s.attributes['xcore.run.manual']])).toEqual([
      ['xcore.job.run', 'billing:sync', 'succeeded', false],
      ['xcore.job.run', 'billing:sync', 'succeeded', true],
      ['xcore.job.run', 'charge', 'failed', true],
    ]);
    const failed = finished[2]!;
    expect(failed.attributes['xcore.run.attempt']).toBe(2);
    expect(typeof failed.attributes['xcore.run.scheduled_at']).toBe('string');
    expect(failed.status).toEqual({ code: SpanStatusCode.ERROR, message: 'card declined' });
    expect(failed.events.map((e) => [e.name, e.attributes?.['exception.type'], e.attributes?.['exception.message']])).toEqual([['exception', 'TypeError', 'card declined']]);
    await scheduler.stop();
  });

  it('counts each missed occurrence and groups jobs past the label limit under "other"', async () => {
    const metrics = new SchedulerMetrics({ jobLabelLimit: 1, meter: meterProvider.getMeter('@xcore/scheduler'), tracer: tracerProvider.getTracer('@xcore/scheduler') });
    metrics.missed({ jobId: 'a', jobOwner: 'config', count: 5, process: 'p', decidedAt: Date.now() });
    metrics.missed({ jobId: 'b', jobOwner: 'config', count: 2, process: 'p', decidedAt: Date.now() });
    metrics.missed({ jobId: 'c', jobOwner: 'config', count: 1, process: 'p', decidedAt: Date.now() });
    expect(points((await collected()).get('xcore.scheduler.runs')).map((p) => [p.attributes['xcore.job.id'], p.value])).toEqual([['a', 5], ['other', 3]]);
  });

  it('makes no spans while no tracer is registered, and spans again within NO_TRACER_RECHECK_MS of one being registered', () => {
    // The global (proxy) tracer: the API's no-op tracer until a provider is registered.
    const metrics = new SchedulerMetrics({ meter: meterProvider.getMeter('@xcore/scheduler') });
    const ended = (jobId: string, finishedAt: number): void => metrics.ended({
      record: { jobId, scheduledAt: finishedAt - 2, startedAt: finishedAt - 1, finishedAt, status: 'succeeded', attempts: 1, owner: 'p' }, jobOwner: 'app',
    });
    const t = Date.now();
    try {
      ended('before', t);
      trace.setGlobalTracerProvider(tracerProvider);
      ended('skipped', t + NO_TRACER_RECHECK_MS / 2);
      ended('after', t + NO_TRACER_RECHECK_MS);
      ended('next', t + NO_TRACER_RECHECK_MS + 1);
    } finally {
      trace.disable();
    }
    expect(spans.getFinishedSpans().map((s) => s.attributes['xcore.job.id'])).toEqual(['after', 'next']);
  });

  it('asks a tracer that makes invalid spans once per NO_TRACER_RECHECK_MS, also for runs that end in the same millisecond', () => {
    let asked = 0;
    const tracer = { startSpan: () => {
      asked++;
      return trace.wrapSpanContext(INVALID_SPAN_CONTEXT);
    } } as unknown as Tracer;
    const metrics = new SchedulerMetrics({ meter: meterProvider.getMeter('@xcore/scheduler'), tracer });
    const t = Date.now();
    for (const finishedAt of [t, t, t, t + 1, t + NO_TRACER_RECHECK_MS - 1, t + NO_TRACER_RECHECK_MS]) {
      metrics.ended({ record: { jobId: 'j', scheduledAt: finishedAt - 2, startedAt: finishedAt - 1, finishedAt, status: 'succeeded', attempts: 1, owner: 'p' }, jobOwner: 'app' });
    }
    expect(asked).toBe(2);
  });

  it('counts runs given as columns (succeeded) as it counts the same runs given one by one (ended)', async () => {
    const definition = (id: string, owner: string): ScheduleDefinition => ({ id, owner, trigger: { type: 'interval', everyMs: 1000 }, policy: {} as ScheduleDefinition['policy'], args: [] });
    const runs = [
      { definition: definition('a', 'app'), scheduledAt: 1000, startedAt: 1003, finishedAt: 1010 },
      { definition: definition('b', 'plugin-x'), scheduledAt: 1000, startedAt: 1010, finishedAt: 1500 },
      { definition: definition('c', 'app'), scheduledAt: 1000, startedAt: 1500, finishedAt: 1500 },
    ];
    // A label limit of 2: the third job is counted under "other" both ways.
    const one = new SchedulerMetrics({ jobLabelLimit: 2, meter: meterProvider.getMeter('one'), tracer: trace.getTracer('none') });
    const bulk = new SchedulerMetrics({ jobLabelLimit: 2, meter: meterProvider.getMeter('bulk'), tracer: trace.getTracer('none') });
    const columns = new SucceededRunColumns('p');
    for (const r of runs) {
      one.ended({ record: { jobId: r.definition.id, scheduledAt: r.scheduledAt, startedAt: r.startedAt, finishedAt: r.finishedAt, status: 'succeeded', attempts: 1, owner: 'p' }, jobOwner: r.definition.owner });
      columns.push(r.definition, r.scheduledAt, r.startedAt, r.finishedAt, 20);
    }
    bulk.succeeded(columns);
    const text = await bulk.prometheus();
    expect(text).toContain('xcore_scheduler_runs_total{xcore_job_id="other",xcore_job_owner="app",xcore_run_outcome="succeeded"} 1');
    expect(text).toBe(await one.prometheus());
  });
});
