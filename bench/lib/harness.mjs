/**
 * The measurement state shared by every adapter in one child process.
 *
 * Every library's job callback calls `fire(i, intended)` and nothing else, so the work per fire
 * is identical across libraries: one counter increment and, for fires whose intended time lies
 * in the measured window, one store into a preallocated Float64Array of lateness samples.
 *
 * `intended` is the time the library meant to fire job `i` (epoch ms). Libraries that pass it to
 * the callback (node-schedule's `fireDate`, node-cron's `context.date`, xcore's `scheduledAt`,
 * the bare loop) give it; for the others the adapter passes `undefined` and it is derived from
 * the job's phase: `anchors[i] + k * 1000` for the k that puts it closest below the callback
 * time (with 50 ms of tolerance for early fires). `anchors[i]` is 0 for jobs that fire on whole
 * seconds (cron) and the registration time for jobs whose phase starts at registration
 * (setInterval-style). A derived intended time cannot see lateness of a second or more; the
 * delivered count does.
 */
import { now } from './clock.mjs';

export const PERIOD_MS = 1000;
const EARLY_TOLERANCE_MS = 50;

/**
 * The phase anchor of job `i` of `n` when phases are spread evenly over the second: `base` (a
 * whole second) plus `i/n` of a period, in whole milliseconds. Used by the bare loop and xcore in
 * the interval table, so both carry the same load shape whatever their registration speed
 * (libraries that anchor at registration cannot be given one).
 */
export function phaseAnchor(base, i, n) {
  return base + Math.floor((i * PERIOD_MS) / n);
}

/**
 * Creates the harness for `n` jobs and a window of `seconds`.
 * @param {{ n: number, seconds: number }} opts
 */
export function createHarness({ n, seconds }) {
  // Room for every expected fire in the window plus a margin for duplicates.
  const capacity = Math.min(n * (seconds + 2), 8_000_000);
  const lateness = new Float64Array(capacity);
  const anchors = new Float64Array(n);
  const state = {
    total: 0,
    delivered: 0,
    early: 0,
    recorded: 0,
    winStart: Infinity,
    winEnd: -Infinity,
  };

  /** The job callback. Identical for every library. */
  function fire(i, intended) {
    const t = now();
    state.total++;
    if (intended === undefined) {
      const a = anchors[i];
      intended = a + Math.floor((t + EARLY_TOLERANCE_MS - a) / PERIOD_MS) * PERIOD_MS;
    }
    if (intended >= state.winStart && intended < state.winEnd) {
      state.delivered++;
      if (state.recorded < capacity) lateness[state.recorded++] = t - intended;
    }
  }

  return { fire, anchors, lateness, state, now };
}
