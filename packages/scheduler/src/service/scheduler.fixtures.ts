/**
 * Test support shared by the scheduler's suites: fake timers pinned at a start time, a scheduler
 * stopped at once (no drain) after each test, and a check that no test left an unhandled rejection.
 */
import { afterEach, beforeEach, expect, vi } from 'vitest';
import type { Scheduler } from './scheduler.js';

/**
 * Registers `beforeEach`/`afterEach`: fake timers at `start`, then `current()` stopped with no drain
 * deadline and real timers restored.
 */
export function useFakeSchedulerClock(start: Date | number, current: () => Scheduler | undefined): void {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(start);
  });
  afterEach(async () => {
    const stopping = current()?.stop({ deadlineMs: 0 });
    await vi.advanceTimersByTimeAsync(0);
    await stopping;
    vi.useRealTimers();
  });
}

/**
 * Registers `beforeEach`/`afterEach`: collects `unhandledRejection`s during each test and fails
 * the test when there was one. Returns the list (read it for a test's own assertions).
 */
export function failOnUnhandledRejections(): readonly unknown[] {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
  beforeEach(() => {
    unhandled.length = 0;
    process.on('unhandledRejection', onUnhandled);
  });
  afterEach(async () => {
    // Let rejections of the test's last turn surface before looking.
    await new Promise((resolve) => setTimeout(resolve, 10));
    process.off('unhandledRejection', onUnhandled);
    expect(unhandled).toEqual([]);
  });
  return unhandled;
}

/**
 * An hour from now: the `startDate` of an interval job that a test on the real clock runs only by
 * asking (`runJob`, `runNow`).
 *
 * @remarks
 * Without a `startDate`, an interval fires at whole multiples of its period since the epoch
 * (`1h` on the hour, UTC), so a test that happens to cross one sees a run it did not ask for.
 */
export function inAnHour(): Date {
  return new Date(Date.now() + 3_600_000);
}
