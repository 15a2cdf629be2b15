/**
 * The scheduler's own instruments, kept in process for the Prometheus exposition (`/metrics`):
 * counters, histograms and gauges with label sets, read by {@link MetricRegistry.collect}.
 *
 * @remarks
 * Deliberately small: no SDK, no export pipeline. Label values are joined into one map key per
 * series, so recording is one map lookup and a few additions. Label cardinality is bounded by the
 * caller (job ids pass through `JobLabels`).
 */

/** One series of a metric: its label values, in the metric's label order. */
export interface CounterSample {
  readonly labels: readonly string[];
  readonly value: number;
}

/** One histogram series: cumulative counts per upper bound (`le`), then the `+Inf` count and the sum. */
export interface HistogramSample {
  readonly labels: readonly string[];
  /** Count of observations ≤ each of the histogram's `buckets`, cumulative. */
  readonly buckets: readonly number[];
  readonly count: number;
  readonly sum: number;
}

/** A metric family as collected: what the exposition renders. */
export type MetricFamily =
  | { readonly kind: 'counter' | 'gauge'; readonly name: string; readonly help: string; readonly unit: string; readonly labelNames: readonly string[]; readonly samples: readonly CounterSample[] }
  | { readonly kind: 'histogram'; readonly name: string; readonly help: string; readonly unit: string; readonly labelNames: readonly string[]; readonly bounds: readonly number[]; readonly samples: readonly HistogramSample[] };

/** What every instrument has: a Prometheus name (unit suffix included), help, unit and label names. */
export interface InstrumentInfo {
  /** Prometheus name, e.g. `xcore_scheduler_run_duration_seconds`. */
  readonly name: string;
  readonly help: string;
  /** Prometheus `# UNIT` value (`seconds`, or empty for counts). */
  readonly unit: string;
  readonly labelNames: readonly string[];
}

const SEP = '\u0000';

/** One series of a {@link Sum}: callers on a hot path keep it and add to `value` directly. */
export interface SumSeries {
  readonly labels: readonly string[];
  value: number;
}

/** One series of a {@link Histogram}, to record into with {@link Histogram.observe}. */
export interface HistogramSeries {
  readonly labels: readonly string[];
  /** Observations per bucket, not cumulative (made cumulative at collection). */
  readonly counts: number[];
  count: number;
  sum: number;
}

/** A monotonic counter (`kind: counter`) or a value set at will (`kind: gauge`). */
export class Sum {
  private readonly series = new Map<string, SumSeries>();

  constructor(readonly info: InstrumentInfo, readonly kind: 'counter' | 'gauge') {}

  /** Adds `value` to the series of `labels`. */
  add(labels: readonly string[], value = 1): void {
    this.seriesOf(labels).value += value;
  }

  /**
   * The series of `labels`, created at 0 when new: a hot path keeps it and adds to its `value`
   * instead of joining the labels into a key on every call.
   */
  seriesOf(labels: readonly string[]): SumSeries {
    const key = labels.join(SEP);
    let s = this.series.get(key);
    if (s === undefined) this.series.set(key, (s = { labels: [...labels], value: 0 }));
    return s;
  }

  /** Sets the series of `labels` to `value` (gauges). */
  set(labels: readonly string[], value: number): void {
    const key = labels.join(SEP);
    const s = this.series.get(key);
    if (s === undefined) this.series.set(key, { labels: [...labels], value });
    else s.value = value;
  }

  /** Removes every series (a gauge whose label sets are recomputed on each collection). */
  clear(): void {
    this.series.clear();
  }

  collect(): MetricFamily {
    return { kind: this.kind, ...this.info, samples: [...this.series.values()].map((s) => ({ labels: s.labels, value: s.value })) };
  }
}

/** A histogram with fixed bucket bounds. */
export class Histogram {
  private readonly series = new Map<string, HistogramSeries>();

  /** @param bounds - upper bounds, ascending (the `+Inf` bucket is implied). */
  constructor(readonly info: InstrumentInfo, readonly bounds: readonly number[]) {}

  /** Records one observation in the series of `labels`. */
  record(labels: readonly string[], value: number): void {
    this.observe(this.seriesOf(labels), value);
  }

  /** The series of `labels`, created empty when new (see {@link Sum.seriesOf}). */
  seriesOf(labels: readonly string[]): HistogramSeries {
    const key = labels.join(SEP);
    let s = this.series.get(key);
    if (s === undefined) {
      s = { labels: [...labels], counts: new Array<number>(this.bounds.length).fill(0), count: 0, sum: 0 };
      this.series.set(key, s);
    }
    return s;
  }

  /** Records one observation in `s`, a series of this histogram. */
  observe(s: HistogramSeries, value: number): void {
    // Non-cumulative per bucket here; made cumulative once, at collection.
    let i = 0;
    while (i < this.bounds.length && value > this.bounds[i]!) i++;
    if (i < this.bounds.length) s.counts[i]! += 1;
    s.count += 1;
    s.sum += value;
  }

  /** Every series observed at least once: one a hot path took with {@link seriesOf} but never fed is not shown. */
  collect(): MetricFamily {
    const samples = [...this.series.values()].filter((s) => s.count > 0).map((s) => {
      let running = 0;
      return { labels: s.labels, buckets: s.counts.map((c) => (running += c)), count: s.count, sum: s.sum };
    });
    return { kind: 'histogram', ...this.info, bounds: this.bounds, samples };
  }
}

/** The instruments of one scheduler, in registration order, plus collection-time callbacks. */
export class MetricRegistry {
  private readonly instruments: (Sum | Histogram)[] = [];
  private readonly beforeCollect: (() => void | Promise<void>)[] = [];

  counter(info: InstrumentInfo): Sum {
    return this.add(new Sum(info, 'counter'));
  }

  gauge(info: InstrumentInfo): Sum {
    return this.add(new Sum(info, 'gauge'));
  }

  histogram(info: InstrumentInfo, bounds: readonly number[]): Histogram {
    return this.add(new Histogram(info, bounds));
  }

  /** Runs `refresh` before each collection (gauges read from state, e.g. job counts). */
  onCollect(refresh: () => void | Promise<void>): void {
    this.beforeCollect.push(refresh);
  }

  /** Refreshes the gauges and returns every family. */
  async collect(): Promise<MetricFamily[]> {
    for (const refresh of this.beforeCollect) await refresh();
    return this.instruments.map((i) => i.collect());
  }

  private add<T extends Sum | Histogram>(instrument: T): T {
    this.instruments.push(instrument);
    return instrument;
  }
}
