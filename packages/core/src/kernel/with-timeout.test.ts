import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { withTimeout } from './with-timeout.js';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('withTimeout', () => {
  it('settles with the work when it is in time, and clears its timer', async () => {
    await expect(withTimeout(() => 7, 100, () => new Error('late'))).resolves.toBe(7);
    await expect(withTimeout(() => Promise.reject(new Error('own')), 100, () => new Error('late'))).rejects.toThrow('own');
    await expect(
      withTimeout(() => {
        throw new Error('sync');
      }, 100, () => new Error('late')),
    ).rejects.toThrow('sync');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('rejects with the timeout error at exactly timeoutMs, and swallows a later rejection', async () => {
    let rejectWork: (e: Error) => void = () => undefined;
    const result = withTimeout(() => new Promise((_, reject) => (rejectWork = reject)), 50, () => new Error('late'));
    const settled = vi.fn();
    result.then(settled, settled);
    await vi.advanceTimersByTimeAsync(49);
    expect(settled).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    await expect(result).rejects.toThrow('late');
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      rejectWork(new Error('after the fact'));
      vi.useRealTimers();
      // Node reports an unhandled rejection after the microtask queue drains: give it a macrotask.
      await new Promise((resolve) => setTimeout(resolve, 20));
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(unhandled).toEqual([]);
    await expect(result).rejects.toThrow('late');
  });

  it('waits a timeout past 2^31-1 ms in full: 40 days time out at 40 days, not at once or at 2^31-1 ms', async () => {
    const result = withTimeout(() => new Promise(() => {}), 40 * 86_400_000, () => new Error('late'));
    const settled = vi.fn();
    result.then(settled, settled);
    await vi.advanceTimersByTimeAsync(40 * 86_400_000 - 1);
    expect(settled).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(settled).toHaveBeenCalledWith(new Error('late'));
    expect(vi.getTimerCount()).toBe(0);
  });
});
