import { describe, expect, it } from 'vitest';
import { backoffDelay, deliverWithRetries, parseRetryAfter, type AttemptOutcome } from './delivery-retry.js';

const policy = { retries: 3, backoff: 10, maxBackoff: 1_000 };

/** An attempt function answering from a script, recording attempt numbers. */
const scripted = (answers: AttemptOutcome[], calls: number[]) => async (n: number): Promise<AttemptOutcome> => {
  calls.push(n);
  return answers[n - 1] ?? { ok: true };
};

describe('deliverWithRetries', () => {
  it('waits in the upper half of an exponential ceiling, capped at maxBackoff', () => {
    const p = { retries: 10, backoff: 1_000, maxBackoff: 60_000 };
    expect([1, 2, 3, 7, 8].map((n) => backoffDelay(n, p, () => 0))).toEqual([500, 1_000, 2_000, 30_000, 30_000]);
    expect([1, 2, 3, 7, 8].map((n) => backoffDelay(n, p, () => 0.999_999))).toEqual([1_000, 2_000, 4_000, 60_000, 60_000]);
  });

  it('retries what may pass later, stops on what never will, and on the retry budget', async () => {
    const signal = new AbortController().signal;
    const calls: number[] = [];
    const retryable: AttemptOutcome = { ok: false, retry: true, reason: 'HTTP 503' };
    expect(await deliverWithRetries(scripted([retryable, retryable], calls), policy, signal)).toEqual({ ok: true, attempts: 3 });
    calls.length = 0;
    expect(await deliverWithRetries(scripted([retryable, { ok: false, retry: false, reason: 'HTTP 404' }], calls), policy, signal)).toEqual({ ok: false, attempts: 2, reason: 'HTTP 404' });
    calls.length = 0;
    expect(await deliverWithRetries(scripted([retryable, retryable, retryable, retryable, retryable], calls), policy, signal)).toEqual({ ok: false, attempts: 4, reason: 'HTTP 503' });
    expect(calls).toEqual([1, 2, 3, 4]);
  });

  it('counts an attempt that throws as a retryable failure', async () => {
    let n = 0;
    const result = await deliverWithRetries(async () => {
      n += 1;
      if (n === 1) throw new Error('bug');
      return { ok: true };
    }, policy, new AbortController().signal);
    expect(result).toEqual({ ok: true, attempts: 2 });
  });

  it('waits at least Retry-After, and gives up when it is beyond maxBackoff', async () => {
    const delays: number[] = [];
    const signal = new AbortController().signal;
    await deliverWithRetries(scripted([{ ok: false, retry: true, reason: '429', retryAfterMs: 300 }], []), policy, signal, { onRetry: (_n, d) => void delays.push(d) });
    expect(delays).toEqual([300]);
    const result = await deliverWithRetries(scripted([{ ok: false, retry: true, reason: 'HTTP 503', retryAfterMs: 5_000 }], []), policy, signal);
    expect(result).toEqual({ ok: false, attempts: 1, reason: 'HTTP 503; the receiver asked to retry after 5 s, beyond maxBackoff (1000 ms)' });
  });

  it('stops waiting when the signal aborts', async () => {
    const stop = new AbortController();
    // Without the abort this would wait a minute and fail on the test timeout.
    const result = deliverWithRetries(scripted([{ ok: false, retry: true, reason: 'down' }], []), { retries: 3, backoff: 60_000, maxBackoff: 60_000 }, stop.signal, {
      onRetry: () => setImmediate(() => stop.abort()),
    });
    expect(await result).toEqual({ ok: false, attempts: 1, reason: 'down (stopped before retrying)' });
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-03-01T10:00:00Z');
  it('reads seconds and HTTP dates, and ignores the unreadable', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Sun, 01 Mar 2026 10:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Sun, 01 Mar 2026 09:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});
