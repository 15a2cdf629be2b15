/**
 * Measuring the process: event-loop delay histogram and memory.
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import type { VitalsSample } from './vitals.js';

/** A running sampler; `sample()` returns figures since the previous call. */
export interface VitalsSampler {
  sample(): VitalsSample;
  close(): void;
}

/** Event-loop delay is measured every 20 ms: fine enough for ms figures, cheap enough to leave on. */
const RESOLUTION_MS = 20;

/** Starts measuring event-loop delay; memory is read at each `sample()`. */
export function startVitalsSampler(): VitalsSampler {
  const histogram: IntervalHistogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  histogram.enable();
  return {
    sample() {
      const memory = process.memoryUsage();
      const sample: VitalsSample = {
        lagP99Ms: histogram.count > 0 ? histogram.percentile(99) / 1e6 : 0,
        lagMaxMs: histogram.count > 0 ? histogram.max / 1e6 : 0,
        heapUsedBytes: memory.heapUsed,
        heapLimitBytes: getHeapStatistics().heap_size_limit,
        rssBytes: memory.rss,
      };
      histogram.reset();
      return sample;
    },
    close: () => histogram.disable(),
  };
}
