/**
 * The failed-authentication limit with plain instants.
 */
import { describe, expect, it } from 'vitest';
import { FailureLimiter } from './failure-limiter.js';

describe('FailureLimiter', () => {
  it('blocks a client after `failures` failures within the window, for the window', () => {
    const limiter = new FailureLimiter({ failures: 3, windowMs: 60_000, maxClients: 100 });
    limiter.fail('a', 0);
    limiter.fail('a', 1_000);
    expect(limiter.blockedFor('a', 1_500)).toBeUndefined();
    limiter.fail('a', 2_000);
    expect(limiter.blockedFor('a', 2_000)).toBe(60);
    expect(limiter.blockedFor('a', 61_500)).toBe(1);
    expect(limiter.blockedFor('b', 2_000)).toBeUndefined();
    expect(limiter.blockedFor('a', 62_000)).toBeUndefined();
  });

  it('counts failures in a window that starts at the first one, and forgets them on success', () => {
    const limiter = new FailureLimiter({ failures: 2, windowMs: 10_000, maxClients: 100 });
    limiter.fail('a', 0);
    limiter.fail('a', 10_000);
    expect(limiter.blockedFor('a', 10_000)).toBeUndefined();
    limiter.succeed('a');
    limiter.fail('a', 10_001);
    expect(limiter.blockedFor('a', 10_001)).toBeUndefined();
  });

  it('tracks at most maxClients, forgetting the least recent first', () => {
    const limiter = new FailureLimiter({ failures: 1, windowMs: 10_000, maxClients: 2 });
    limiter.fail('a', 0);
    limiter.fail('b', 1);
    limiter.fail('c', 2);
    expect(limiter.size).toBe(2);
    expect(limiter.blockedFor('a', 3)).toBeUndefined();
    expect(limiter.blockedFor('c', 3)).toBe(10);
  });
});
