/**
 * Measuring the process: event-loop lag and memory.
 *
 * @remarks
 * Lag is measured with our own timer rather than `perf_hooks.monitorEventLoopDelay`: that
 * histogram records the whole time between its timer's callbacks, resolution included, so an idle
 * loop read `lagP99Ms: 20` (the resolution, not lag), and the first delay after a `reset()` is
 * dropped, so a block right after a sample went unseen. Here each tick records how much later
 * than due it ran: an idle loop reads near 0.
 */
import { createHistogram, performance, type RecordableHistogram } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import type { VitalsSample } from './vitals.js';

/** A running sampler; `sample()` returns figures since the previous call. */
export interface VitalsSampler {
  sample(): VitalsSample;
  close(): void;
}

/** Lag is measured every 20 ms: fine enough for ms figures, cheap enough to leave on. */
export const RESOLUTION_MS = 20;

/**
 * Event-loop lag from the ticks of a timer due every `resolutionMs`: each tick records how late it
 * ran. Pure (the caller passes the clock), so it is tested with exact instants.
 */
export class LagRecorder {
  private readonly histogram: RecordableHistogram = createHistogram();
  private last: number;

  constructor(private readonly resolutionMs: number, start: number) {
    this.last = start;
  }

  /** A tick of the timer at `now` (ms): records its lateness. */
  tick(now: number): void {
    const lateMs = Math.max(0, now - this.last - this.resolutionMs);
    // The histogram takes whole numbers >= 1: microseconds, with 0 recorded as 1 µs.
    this.histogram.record(Math.max(1, Math.round(lateMs * 1000)));
    this.last = now;
  }

  /** p99 and max lateness since the previous read, ms; resets. */
  read(): { readonly p99Ms: number; readonly maxMs: number } {
    const h = this.histogram;
    const figures = h.count === 0 ? { p99Ms: 0, maxMs: 0 } : { p99Ms: toMs(h.percentile(99)), maxMs: toMs(h.max) };
    h.reset();
    return figures;
  }
}

function toMs(micros: number): number {
  return micros <= 1 ? 0 : micros / 1000;
}

/** Starts measuring event-loop lag; memory is read at each `sample()`. */
export function startVitalsSampler(): VitalsSampler {
  const lag = new LagRecorder(RESOLUTION_MS, performance.now());
  const timer = setInterval(() => lag.tick(performance.now()), RESOLUTION_MS);
  timer.unref();
  return {
    sample() {
      const memory = process.memoryUsage();
      const { p99Ms, maxMs } = lag.read();
      return {
        lagP99Ms: p99Ms,
        lagMaxMs: maxMs,
        heapUsedBytes: memory.heapUsed,
        heapLimitBytes: getHeapStatistics().heap_size_limit,
        rssBytes: memory.rss,
      };
    },
    close: () => clearInterval(timer),
  };
}
