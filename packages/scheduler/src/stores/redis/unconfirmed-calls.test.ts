import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { withDeadline } from './unconfirmed-calls.js';

const DAY = 86_400_000;

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('withDeadline', () => {
  it('settles with the call when it answers in time, and clears its timer', async () => {
    await expect(withDeadline('claim', Promise.resolve(7), 100)).resolves.toBe(7);
    await expect(withDeadline('claim', Promise.reject(new Error('own')), 100)).rejects.toThrow('own');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('rejects with XCORE_ERR_REDIS_UNAVAILABLE at exactly the deadline, also one past 2^31-1 ms (30 days)', async () => {
    const result = withDeadline('commit', new Promise(() => undefined), 30 * DAY);
    const settled = vi.fn();
    result.then(settled, settled);
    await vi.advanceTimersByTimeAsync(30 * DAY - 1);
    expect(settled).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    await expect(result).rejects.toMatchObject({ code: 'XCORE_ERR_REDIS_UNAVAILABLE', message: expect.stringContaining(`RedisStore.commit: no answer from Redis within ${30 * DAY} ms`) });
  });
});
