/**
 * The benchmark clock: wall-clock epoch milliseconds with sub-millisecond resolution.
 *
 * Libraries schedule against `Date.now()` (whole milliseconds). Lateness measured with
 * `Date.now()` would be quantised to 1 ms, so the harness reads `performance.now()` and adds an
 * offset calibrated against `Date.now()` at an edge where the millisecond ticks over (accurate to
 * a few microseconds). `drift()` re-measures the offset so a run can report how far the two clocks
 * moved apart during the measurement (it should be well under 1 ms).
 */
import { performance } from 'node:perf_hooks';

/** Returns `Date.now() - performance.now()` measured at a millisecond edge. */
export function calibrate() {
  let best = Infinity;
  let offset = 0;
  for (let round = 0; round < 5; round++) {
    const start = Date.now();
    let before = performance.now();
    let d = Date.now();
    while (d === start) {
      before = performance.now();
      d = Date.now();
    }
    const after = performance.now();
    // The edge lies between `before` and `after`; the narrower the bracket, the better.
    if (after - before < best) {
      best = after - before;
      offset = d - (before + after) / 2;
    }
  }
  return offset;
}

let offset = calibrate();

/** Current time in epoch milliseconds, fractional. */
export function now() {
  return performance.now() + offset;
}

/** How far `Date.now()` and `now()` have moved apart since calibration, in ms. */
export function drift() {
  return calibrate() - offset;
}
