import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MAX_TIMER_MS, setLongTimeout } from './long-timeout.js';

const DAY = 86_400_000;

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('setLongTimeout', () => {
  it('fires a delay up to MAX_TIMER_MS at exactly that delay, with one timer', async () => {
    const fired = vi.fn();
    setLongTimeout(fired, 1500);
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(1499);
    expect(fired).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(fired).toHaveBeenCalledTimes(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('fires a 30-day delay at 30 days: not at once, not at 2^31-1 ms', async () => {
    const fired = vi.fn();
    setLongTimeout(fired, 30 * DAY);
    await vi.advanceTimersByTimeAsync(1);
    expect(fired).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(MAX_TIMER_MS);
    expect(fired).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(30 * DAY - MAX_TIMER_MS - 2);
    expect(fired).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(fired).toHaveBeenCalledTimes(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('fires a delay of several links (100 days) once, at exactly 100 days', async () => {
    const firedAt: number[] = [];
    const start = Date.now();
    setLongTimeout(() => void firedAt.push(Date.now() - start), 100 * DAY);
    await vi.advanceTimersByTimeAsync(200 * DAY);
    expect(firedAt).toEqual([100 * DAY]);
  });

  it('clear() before the first link ends, or mid-chain, cancels it and leaves no timer', async () => {
    const early = vi.fn();
    setLongTimeout(early, 30 * DAY).clear();
    const late = vi.fn();
    const timer = setLongTimeout(late, 60 * DAY);
    await vi.advanceTimersByTimeAsync(MAX_TIMER_MS + 1);
    expect(vi.getTimerCount()).toBe(1);
    timer.clear();
    timer.clear();
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(90 * DAY);
    expect([early.mock.calls.length, late.mock.calls.length]).toEqual([0, 0]);
  });

  it('fires a zero, negative or NaN delay on the next timer turn; Infinity never fires', async () => {
    const fired: string[] = [];
    for (const delay of [0, -5, Number.NaN]) setLongTimeout(() => void fired.push(String(delay)), delay);
    const never = setLongTimeout(() => void fired.push('Infinity'), Number.POSITIVE_INFINITY);
    expect(fired).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(fired).toEqual(['0', '-5', 'NaN']);
    await vi.advanceTimersByTimeAsync(1000 * DAY);
    expect(fired).toEqual(['0', '-5', 'NaN']);
    never.clear();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('unref() applies to every link of the chain', async () => {
    const unref = vi.fn();
    const real = globalThis.setTimeout;
    const spy = vi.spyOn(globalThis, 'setTimeout').mockImplementation(((...args: Parameters<typeof setTimeout>) => {
      const handle = real(...args);
      return Object.assign(handle, { unref: () => (unref(), handle) });
    }) as typeof setTimeout);
    try {
      const timer = setLongTimeout(() => undefined, 60 * DAY).unref();
      expect(unref).toHaveBeenCalledTimes(1);
      await vi.advanceTimersByTimeAsync(2 * MAX_TIMER_MS);
      expect(unref).toHaveBeenCalledTimes(3);
      timer.clear();
    } finally {
      spy.mockRestore();
    }
  });
});
