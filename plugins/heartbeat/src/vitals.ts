/**
 * Judging a process's vitals: event-loop lag and heap use, against thresholds.
 *
 * @remarks Pure: the sample is measured elsewhere (`sampler.ts`), so this is tested with numbers.
 */

/** One measurement of the process. */
export interface VitalsSample {
  /** 99th percentile of event-loop delay since the previous sample, ms. */
  readonly lagP99Ms: number;
  /** Largest event-loop delay since the previous sample, ms. */
  readonly lagMaxMs: number;
  readonly heapUsedBytes: number;
  /** V8's heap size limit (`--max-old-space-size`). */
  readonly heapLimitBytes: number;
  readonly rssBytes: number;
}

/** Where vitals turn from ok to warn to fail. */
export interface VitalsThresholds {
  /** p99 event-loop lag that warns, ms. */
  readonly lagWarnMs: number;
  /** p99 event-loop lag that fails, ms. */
  readonly lagFailMs: number;
  /** Heap used over heap limit that warns (0-1). */
  readonly heapWarnRatio: number;
}

/** The verdict on a sample, in the shape the health plugin takes. */
export interface VitalsVerdict {
  readonly status: 'ok' | 'warn' | 'fail';
  /** One line: the figures, and which threshold was crossed. */
  readonly detail: string;
}

const MIB = 1024 * 1024;

/** Judges a sample: the worst of the lag verdict and the heap verdict. */
export function assessVitals(sample: VitalsSample, thresholds: VitalsThresholds): VitalsVerdict {
  const heapRatio = sample.heapLimitBytes > 0 ? sample.heapUsedBytes / sample.heapLimitBytes : 0;
  const figures =
    `lag p99 ${sample.lagP99Ms.toFixed(1)} ms (max ${sample.lagMaxMs.toFixed(1)}), ` +
    `heap ${(sample.heapUsedBytes / MIB).toFixed(0)}/${(sample.heapLimitBytes / MIB).toFixed(0)} MiB (${Math.round(heapRatio * 100)}%), ` +
    `rss ${(sample.rssBytes / MIB).toFixed(0)} MiB`;
  const reasons: string[] = [];
  let status: VitalsVerdict['status'] = 'ok';
  if (sample.lagP99Ms >= thresholds.lagFailMs) {
    status = 'fail';
    reasons.push(`event loop blocked (p99 >= ${thresholds.lagFailMs} ms)`);
  } else if (sample.lagP99Ms >= thresholds.lagWarnMs) {
    status = 'warn';
    reasons.push(`event loop slow (p99 >= ${thresholds.lagWarnMs} ms)`);
  }
  if (heapRatio >= thresholds.heapWarnRatio) {
    if (status === 'ok') status = 'warn';
    reasons.push(`heap above ${Math.round(thresholds.heapWarnRatio * 100)}% of its limit`);
  }
  return { status, detail: reasons.length === 0 ? figures : `${reasons.join('; ')}: ${figures}` };
}
