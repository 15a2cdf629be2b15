/**
 * The scheduler's metrics and traces: through `@opentelemetry/api` (an app that registers an
 * OpenTelemetry SDK gets them with no xcore code) and, for `/metrics`, in its own in-process
 * instruments rendered as Prometheus text.
 *
 * @remarks
 * Names follow the OpenTelemetry naming conventions (dotted, units as UCUM in `unit`, seconds for
 * durations); the Prometheus names are what the OpenTelemetry Prometheus exporter would make of
 * them (dots to underscores, `_seconds` for unit `s`, `_total` on counters). Fed by the run path's
 * observers ({@link RunObserver}), the store wrapper (`instrument-store.ts`) and, at collection,
 * the scheduler's state. Job ids are labels for the first `jobLabelLimit` jobs seen; every other
 * job is counted under the job id `other`, so the series count stays bounded.
 */
import { createNoopMeter, isSpanContextValid, metrics, trace, SpanKind, SpanStatusCode, type Attributes, type Counter, type Histogram as OtelHistogram, type Meter, type Tracer } from '@opentelemetry/api';
import type { EndedRun, MissedOccurrences, RunObserver } from '../runner/run-observer.js';
import type { ScheduleDefinition, SucceededRuns } from '../stores/store.js';
import { Histogram, MetricRegistry, type HistogramSeries, type Sum, type SumSeries } from './metric-registry.js';
import { renderPrometheusText } from './prometheus-text.js';

/** The job id label of jobs past the label limit. */
export const OTHER_JOB = 'other';

/** The OpenTelemetry instrumentation scope (meter and tracer name). */
export const INSTRUMENTATION_SCOPE = '@xcore/scheduler';

/** Run durations, seconds: 5 ms to 1 h. */
const DURATION_BOUNDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600];
/** Start lateness, seconds: 1 ms (a timer's resolution) to 5 min. */
const LATENESS_BOUNDS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];
/** Store calls, seconds: 0.1 ms (memory) to 5 s (a struggling Redis). */
const STORE_BOUNDS = [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/**
 * How long, in ms of run end times, the metrics trust that no tracer is registered before they
 * make a run's span again to find out.
 *
 * @remarks
 * With no OpenTelemetry SDK the API's tracer hands back a non-recording span with an invalid
 * context; making it (its attributes, an ISO date) cost more than the rest of a fire at 10k fires
 * a second. A span whose context is invalid turns spans off for this long; an SDK registered
 * meanwhile gets the runs that end after it.
 */
export const NO_TRACER_RECHECK_MS = 1_000;

/** The in-process series and OpenTelemetry attributes of one (job label, job owner) pair. */
interface JobSeries {
  readonly job: string;
  readonly owner: string;
  readonly attrs: Attributes;
  readonly duration: HistogramSeries;
  readonly lateness: HistogramSeries;
  /** The `succeeded` series of the runs counter (the common case), then the others by outcome. */
  succeeded: SumSeries | undefined;
  readonly outcomes: Map<string, { readonly series: SumSeries; readonly attrs: Attributes }>;
  succeededAttrs: Attributes | undefined;
}

/** What the metrics read from the scheduler when they are collected. */
export interface SchedulerMetricsSources {
  /** Runs in progress in this process. */
  running(): number;
  /** Occurrences admitted but waiting (overlap queue, jitter delay) in this process. */
  queued(): number;
  /** `true` while the store fails. */
  degraded(): boolean;
  /** Jobs whose occurrence has not started within its grace (the last overdue check). */
  overdue(): number;
  /** Runs of this process running past their bound (the last overdue check). */
  stuck(): number;
  /** Job counts (cluster-wide on a shared store), or `undefined` when the store cannot say. */
  jobCounts(): Promise<{ readonly jobs: number; readonly paused: number; readonly failing: number } | undefined>;
}

/** Options of {@link SchedulerMetrics}. */
export interface SchedulerMetricsOptions {
  /** Most distinct job ids used as labels; later jobs are labelled {@link OTHER_JOB}. @defaultValue `100` */
  readonly jobLabelLimit?: number;
  /** Where OpenTelemetry instruments come from. @defaultValue `metrics.getMeter('@xcore/scheduler')` (the global provider) */
  readonly meter?: Meter;
  /** Where run spans go. @defaultValue `trace.getTracer('@xcore/scheduler')` (the global provider) */
  readonly tracer?: Tracer;
}

/** Every instrument's OpenTelemetry name and its Prometheus name, for docs and tests. */
export const SCHEDULER_METRICS = {
  runs: { otel: 'xcore.scheduler.runs', prometheus: 'xcore_scheduler_runs_total', unit: '{run}' },
  runDuration: { otel: 'xcore.scheduler.run.duration', prometheus: 'xcore_scheduler_run_duration_seconds', unit: 's' },
  startLateness: { otel: 'xcore.scheduler.run.start_lateness', prometheus: 'xcore_scheduler_run_start_lateness_seconds', unit: 's' },
  runsActive: { otel: 'xcore.scheduler.runs.active', prometheus: 'xcore_scheduler_runs_active', unit: '{run}' },
  queued: { otel: 'xcore.scheduler.occurrences.queued', prometheus: 'xcore_scheduler_occurrences_queued', unit: '{occurrence}' },
  storeDuration: { otel: 'xcore.scheduler.store.operation.duration', prometheus: 'xcore_scheduler_store_operation_duration_seconds', unit: 's' },
  storeErrors: { otel: 'xcore.scheduler.store.errors', prometheus: 'xcore_scheduler_store_errors_total', unit: '{error}' },
  degraded: { otel: 'xcore.scheduler.degraded', prometheus: 'xcore_scheduler_degraded', unit: '1' },
  jobs: { otel: 'xcore.scheduler.jobs', prometheus: 'xcore_scheduler_jobs', unit: '{job}' },
  jobsFailing: { otel: 'xcore.scheduler.jobs.failing', prometheus: 'xcore_scheduler_jobs_failing', unit: '{job}' },
  jobsOverdue: { otel: 'xcore.scheduler.jobs.overdue', prometheus: 'xcore_scheduler_jobs_overdue', unit: '{job}' },
  runsStuck: { otel: 'xcore.scheduler.runs.stuck', prometheus: 'xcore_scheduler_runs_stuck', unit: '{run}' },
} as const;

/** The scheduler's instruments (see the module remarks); a {@link RunObserver} of its run path. */
export class SchedulerMetrics implements RunObserver {
  /** The in-process instruments `/metrics` renders. */
  readonly registry = new MetricRegistry();
  private readonly jobLabelLimit: number;
  private readonly labelled = new Set<string>();
  private readonly tracer: Tracer;
  private sources: SchedulerMetricsSources | undefined;
  private lastCounts: { jobs: number; paused: number; failing: number } | undefined;

  private readonly runs: Sum;
  private readonly duration: Histogram;
  private readonly lateness: Histogram;
  private readonly storeDuration: Histogram;
  private readonly storeErrors: Sum;
  /** OpenTelemetry instruments; `undefined` for one the no-op meter made (no SDK: nothing to record). */
  private readonly otel: {
    readonly runs: Counter | undefined;
    readonly duration: OtelHistogram | undefined;
    readonly lateness: OtelHistogram | undefined;
    readonly storeDuration: OtelHistogram | undefined;
    readonly storeErrors: Counter | undefined;
  };
  /** Series by job owner, then job label (see {@link SchedulerMetrics.seriesOf}). */
  private readonly jobSeries = new Map<string, Map<string, JobSeries>>();
  private lastSeries: JobSeries | undefined;
  /** Run end time until which spans are skipped: the tracer made a span with an invalid context. */
  private noTracerUntil = -Infinity;
  /** Store-call series by operation. */
  private readonly storeSeries = new Map<string, { readonly duration: HistogramSeries; readonly attrs: Attributes; readonly failedAttrs: Attributes }>();

  constructor(options: SchedulerMetricsOptions = {}) {
    this.jobLabelLimit = options.jobLabelLimit ?? 100;
    const meter = options.meter ?? metrics.getMeter(INSTRUMENTATION_SCOPE);
    this.tracer = options.tracer ?? trace.getTracer(INSTRUMENTATION_SCOPE);
    const M = SCHEDULER_METRICS;
    const job = ['xcore_job_id', 'xcore_job_owner'];
    const r = this.registry;
    this.runs = r.counter({ name: M.runs.prometheus, unit: '', labelNames: [...job, 'xcore_run_outcome'], help: 'Runs that ended, by job and outcome (succeeded, failed, timed_out, aborted, skipped; missed counts each missed occurrence).' });
    this.duration = r.histogram({ name: M.runDuration.prometheus, unit: 'seconds', labelNames: job, help: 'Run duration, first attempt start to last attempt end, seconds.' }, DURATION_BOUNDS);
    this.lateness = r.histogram({ name: M.startLateness.prometheus, unit: 'seconds', labelNames: job, help: 'Start lateness of scheduled runs, scheduled time to first attempt start, seconds.' }, LATENESS_BOUNDS);
    const active = r.gauge({ name: M.runsActive.prometheus, unit: '', labelNames: [], help: 'Runs in progress in this process.' });
    const queued = r.gauge({ name: M.queued.prometheus, unit: '', labelNames: [], help: 'Occurrences admitted but waiting in this process (overlap: queue, jitter delay).' });
    this.storeDuration = r.histogram({ name: M.storeDuration.prometheus, unit: 'seconds', labelNames: ['xcore_store_operation'], help: 'Store call latency by operation, seconds.' }, STORE_BOUNDS);
    this.storeErrors = r.counter({ name: M.storeErrors.prometheus, unit: '', labelNames: ['xcore_store_operation'], help: 'Store calls that failed, by operation.' });
    const degraded = r.gauge({ name: M.degraded.prometheus, unit: '', labelNames: [], help: '1 while the scheduler\'s store fails (it retries with backoff), else 0.' });
    const jobs = r.gauge({ name: M.jobs.prometheus, unit: '', labelNames: ['xcore_job_state'], help: 'Jobs by state: scheduled (not paused) or paused.' });
    const failing = r.gauge({ name: M.jobsFailing.prometheus, unit: '', labelNames: [], help: 'Jobs whose last run failed or timed out.' });
    const overdue = r.gauge({ name: M.jobsOverdue.prometheus, unit: '', labelNames: [], help: 'Jobs whose occurrence has not started within its grace of being due (last overdue check).' });
    const stuck = r.gauge({ name: M.runsStuck.prometheus, unit: '', labelNames: [], help: 'Runs of this process running past their configured or learned bound (last overdue check).' });
    r.onCollect(async () => {
      const s = this.sources;
      if (s === undefined) return;
      active.set([], s.running());
      queued.set([], s.queued());
      degraded.set([], s.degraded() ? 1 : 0);
      overdue.set([], s.overdue());
      stuck.set([], s.stuck());
      const counts = await this.refreshCounts();
      if (counts !== undefined) {
        jobs.set(['scheduled'], counts.jobs - counts.paused);
        jobs.set(['paused'], counts.paused);
        failing.set([], counts.failing);
      }
    });

    // The metrics API has no proxy meter: a meter taken before an SDK is registered stays the
    // no-op one, whose instruments are shared singletons. Those are dropped here, so a run does not
    // build attributes for nothing.
    const noop = createNoopMeter();
    const real = <T>(instrument: T, noopOne: unknown): T | undefined => (instrument === noopOne ? undefined : instrument);
    const noopCounter = noop.createCounter('noop');
    const noopHistogram = noop.createHistogram('noop');
    this.otel = {
      runs: real(meter.createCounter(M.runs.otel, { unit: M.runs.unit, description: 'Runs that ended, by job and outcome.' }), noopCounter),
      duration: real(meter.createHistogram(M.runDuration.otel, { unit: 's', description: 'Run duration.', advice: { explicitBucketBoundaries: DURATION_BOUNDS } }), noopHistogram),
      lateness: real(meter.createHistogram(M.startLateness.otel, { unit: 's', description: 'Start lateness of scheduled runs.', advice: { explicitBucketBoundaries: LATENESS_BOUNDS } }), noopHistogram),
      storeDuration: real(meter.createHistogram(M.storeDuration.otel, { unit: 's', description: 'Store call latency.', advice: { explicitBucketBoundaries: STORE_BOUNDS } }), noopHistogram),
      storeErrors: real(meter.createCounter(M.storeErrors.otel, { unit: M.storeErrors.unit, description: 'Store calls that failed.' }), noopCounter),
    };
    const gauge = (name: keyof typeof SCHEDULER_METRICS, description: string, read: (s: SchedulerMetricsSources) => number | undefined, updown: boolean): void => {
      const info = SCHEDULER_METRICS[name];
      const instrument = updown ? meter.createObservableUpDownCounter(info.otel, { unit: info.unit, description }) : meter.createObservableGauge(info.otel, { unit: info.unit, description });
      instrument.addCallback((result) => {
        const value = this.sources === undefined ? undefined : read(this.sources);
        if (value !== undefined) result.observe(value);
      });
    };
    gauge('runsActive', 'Runs in progress in this process.', (s) => s.running(), true);
    gauge('queued', 'Occurrences admitted but waiting in this process.', (s) => s.queued(), true);
    gauge('degraded', '1 while the store fails.', (s) => (s.degraded() ? 1 : 0), false);
    gauge('jobsOverdue', 'Jobs whose occurrence has not started within its grace.', (s) => s.overdue(), true);
    gauge('runsStuck', 'Runs running past their bound.', (s) => s.stuck(), true);
    gauge('jobsFailing', 'Jobs whose last run failed or timed out.', () => this.countsSoon()?.failing, true);
    const jobsByState = meter.createObservableUpDownCounter(M.jobs.otel, { unit: M.jobs.unit, description: 'Jobs by state.' });
    jobsByState.addCallback((result) => {
      const counts = this.countsSoon();
      if (counts === undefined) return;
      result.observe(counts.jobs - counts.paused, { 'xcore.job.state': 'scheduled' });
      result.observe(counts.paused, { 'xcore.job.state': 'paused' });
    });
  }

  /** Connects the collection-time readings (the scheduler calls it once it is built). */
  bind(sources: SchedulerMetricsSources): void {
    this.sources = sources;
  }

  /** The job id label of `jobId`: itself for the first `jobLabelLimit` jobs, else {@link OTHER_JOB}. */
  jobLabel(jobId: string): string {
    if (this.labelled.has(jobId)) return jobId;
    if (this.labelled.size < this.jobLabelLimit) {
      this.labelled.add(jobId);
      return jobId;
    }
    return OTHER_JOB;
  }

  /**
   * The series of a (job label, owner) pair, kept across runs: a run adds to them without
   * building label arrays, keys or attribute objects (runs of the same pair usually follow each
   * other: every job past the label limit is `other`).
   */
  private seriesOf(job: string, owner: string): JobSeries {
    const last = this.lastSeries;
    if (last !== undefined && last.job === job && last.owner === owner) return last;
    let byJob = this.jobSeries.get(owner);
    if (byJob === undefined) this.jobSeries.set(owner, (byJob = new Map()));
    let s = byJob.get(job);
    if (s === undefined) {
      const labels = [job, owner];
      s = {
        job, owner, attrs: { 'xcore.job.id': job, 'xcore.job.owner': owner },
        duration: this.duration.seriesOf(labels), lateness: this.lateness.seriesOf(labels),
        succeeded: undefined, succeededAttrs: undefined, outcomes: new Map(),
      };
      byJob.set(job, s);
    }
    this.lastSeries = s;
    return s;
  }

  /** Counts `count` runs of `s` with outcome `status`. */
  private countRuns(s: JobSeries, status: string, count: number): void {
    if (status === 'succeeded' && s.succeeded !== undefined) {
      s.succeeded.value += count;
      this.otel.runs?.add(count, s.succeededAttrs);
      return;
    }
    let outcome = s.outcomes.get(status);
    if (outcome === undefined) {
      outcome = { series: this.runs.seriesOf([s.job, s.owner, status]), attrs: { ...s.attrs, 'xcore.run.outcome': status } };
      s.outcomes.set(status, outcome);
      if (status === 'succeeded') {
        s.succeeded = outcome.series;
        s.succeededAttrs = outcome.attrs;
      }
    }
    outcome.series.value += count;
    this.otel.runs?.add(count, outcome.attrs);
  }

  /** Counts an ended run or skip, records its duration and lateness, and makes its span. */
  ended(run: EndedRun): void {
    const { record, jobOwner } = run;
    const s = this.seriesOf(this.jobLabel(record.jobId), jobOwner);
    this.countRuns(s, record.status, 1);
    if (record.startedAt === null || record.finishedAt === null) return;
    this.observeTimes(s, record.startedAt, record.finishedAt, record.manual === true ? null : record.scheduledAt);
    if (this.spanSkipped(record.finishedAt)) return;
    this.span(run, record.startedAt, record.finishedAt);
  }

  /** Records a run's duration, and its start lateness unless `scheduledAt` is `null` (a manual run). */
  private observeTimes(s: JobSeries, startedAt: number, finishedAt: number, scheduledAt: number | null): void {
    const seconds = Math.max(0, finishedAt - startedAt) / 1000;
    this.duration.observe(s.duration, seconds);
    this.otel.duration?.record(seconds, s.attrs);
    if (scheduledAt === null) return;
    const late = Math.max(0, startedAt - scheduledAt) / 1000;
    this.lateness.observe(s.lateness, late);
    this.otel.lateness?.record(late, s.attrs);
  }

  /** True when a run that finished at `finishedAt` makes no span: no tracer was found since just before it. */
  private spanSkipped(finishedAt: number): boolean {
    return finishedAt < this.noTracerUntil && finishedAt >= this.noTracerUntil - NO_TRACER_RECHECK_MS;
  }

  /**
   * {@link SchedulerMetrics.ended} for each run of `runs` (succeeded at its first attempt, not
   * manual), without a record or event object per run (one is built only for a span, while a
   * tracer is registered).
   */
  succeeded(runs: SucceededRuns): void {
    const { definitions, scheduledAt, startedAt, finishedAt } = runs;
    for (let i = 0; i < runs.count; i++) {
      const definition = definitions[i] as ScheduleDefinition;
      const s = this.seriesOf(this.jobLabel(definition.id), definition.owner);
      this.countRuns(s, 'succeeded', 1);
      const started = startedAt[i] as number;
      const finished = finishedAt[i] as number;
      this.observeTimes(s, started, finished, scheduledAt[i] as number);
      if (this.spanSkipped(finished)) continue;
      const record = { jobId: definition.id, scheduledAt: scheduledAt[i] as number, startedAt: started, finishedAt: finished, status: 'succeeded', attempts: 1, owner: runs.owner } as const;
      this.span({ record, jobOwner: definition.owner }, started, finished);
    }
  }

  /** Counts each missed occurrence under the outcome `missed`. */
  missed(missed: MissedOccurrences): void {
    this.countRuns(this.seriesOf(this.jobLabel(missed.jobId), missed.jobOwner), 'missed', missed.count);
  }

  /** Records one store call: its operation (the Store method), latency and whether it failed. */
  storeCall(operation: string, seconds: number, failed: boolean): void {
    let s = this.storeSeries.get(operation);
    if (s === undefined) {
      s = { duration: this.storeDuration.seriesOf([operation]), attrs: { 'xcore.store.operation': operation }, failedAttrs: { 'xcore.store.operation': operation, 'error.type': 'store_error' } };
      this.storeSeries.set(operation, s);
    }
    this.storeDuration.observe(s.duration, seconds);
    this.otel.storeDuration?.record(seconds, failed ? s.failedAttrs : s.attrs);
    if (failed) {
      this.storeErrors.add([operation]);
      this.otel.storeErrors?.add(1, s.attrs);
    }
  }

  /** The Prometheus text exposition of the in-process instruments (gauges read now). */
  async prometheus(): Promise<string> {
    return renderPrometheusText(await this.registry.collect());
  }

  /**
   * One span per run, made when the run ends with its real start and end times: name
   * `xcore.job.run`, kind internal, the job id (unbounded here: a span is not a series),
   * scheduled time, attempts and outcome; status error with the exception for failures.
   */
  private span(run: EndedRun, startedAt: number, finishedAt: number): void {
    const { record } = run;
    const span = this.tracer.startSpan('xcore.job.run', {
      kind: SpanKind.INTERNAL,
      startTime: startedAt,
      attributes: {
        'xcore.job.id': record.jobId,
        'xcore.job.owner': run.jobOwner,
        'xcore.run.scheduled_at': new Date(record.scheduledAt).toISOString(),
        'xcore.run.attempt': record.attempts,
        'xcore.run.outcome': record.status,
        'xcore.run.manual': record.manual === true,
      },
    });
    // No tracer registered (the API's no-op one): skip spans for a while (see NO_TRACER_RECHECK_MS).
    if (!isSpanContextValid(span.spanContext())) {
      this.noTracerUntil = finishedAt + NO_TRACER_RECHECK_MS;
      return;
    }
    if (span.isRecording() && record.status !== 'succeeded') {
      if (run.error instanceof Error) span.recordException(run.error, finishedAt);
      span.setStatus({ code: SpanStatusCode.ERROR, message: record.error ?? record.status });
    }
    span.end(finishedAt);
  }

  private async refreshCounts(): Promise<{ jobs: number; paused: number; failing: number } | undefined> {
    try {
      const counts = await this.sources?.jobCounts();
      if (counts !== undefined) this.lastCounts = { jobs: counts.jobs, paused: counts.paused, failing: counts.failing };
    } catch {
      // The store is failing: the degraded gauge says so; the last counts stand.
    }
    return this.lastCounts;
  }

  /** The last job counts, refreshed in the background for the next (synchronous) OpenTelemetry callback. */
  private countsSoon(): { jobs: number; paused: number; failing: number } | undefined {
    void this.refreshCounts();
    return this.lastCounts;
  }
}
