/**
 * Test support shared by the scheduler's suites: fake timers pinned at a start time, and a
 * scheduler stopped at once (no drain) after each test.
 */
import { afterEach, beforeEach, vi } from 'vitest';
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
