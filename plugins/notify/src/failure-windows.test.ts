import { describe, expect, it } from 'vitest';
import { FailureWindows } from './failure-windows.js';

const HOUR = 3_600_000;

describe('FailureWindows', () => {
  it('sends the first failure, counts the rest of the window, and reports the count in the next message', () => {
    const w = new FailureWindows(HOUR);
    expect(w.failure('a', 0)).toEqual({ send: true, sinceLastMessage: 1, consecutive: 1, failingSince: 0, previousMessageAt: undefined });
    expect(w.failure('a', 10)).toEqual({ send: false });
    expect(w.failure('a', HOUR - 1)).toEqual({ send: false });
    expect(w.unreported).toBe(2);
    expect(w.failure('a', HOUR)).toEqual({ send: true, sinceLastMessage: 3, consecutive: 4, failingSince: 0, previousMessageAt: 0 });
    expect(w.unreported).toBe(0);
  });

  it('keeps one window per job', () => {
    const w = new FailureWindows(HOUR);
    expect(w.failure('a', 0).send).toBe(true);
    expect(w.failure('b', 5).send).toBe(true);
    expect(w.failure('a', 6).send).toBe(false);
    expect(w.failing).toBe(2);
  });

  it('a success after a reported failure is a recovery carrying the failures counted since the message', () => {
    const w = new FailureWindows(HOUR);
    w.failure('a', 0);
    w.failure('a', 1);
    w.failure('a', 2);
    expect(w.success('a', 3, true)).toEqual({ notify: true, sinceLastMessage: 2, consecutive: 3, failingSince: 0, previousMessageAt: 0 });
    expect(w.failing).toBe(0);
    expect(w.success('a', 4, true)).toBeUndefined();
  });

  it('a job that flaps sends at most one failure and one recovery per window; the rest rides in its next message', () => {
    const w = new FailureWindows(HOUR);
    expect(w.failure('a', 0).send).toBe(true);
    expect(w.success('a', 1, true)?.notify).toBe(true);
    expect(w.failure('a', 2)).toEqual({ send: false });
    expect(w.success('a', 3, true)).toMatchObject({ notify: false, sinceLastMessage: 1, consecutive: 1 });
    expect(w.failure('a', 4)).toEqual({ send: false });
    expect(w.success('a', 5, true)?.notify).toBe(false);
    expect(w.failure('a', 1 + HOUR)).toEqual({ send: true, sinceLastMessage: 3, consecutive: 1, failingSince: 1 + HOUR, previousMessageAt: 1 });
  });

  it('without recovery messages a success only ends the streak', () => {
    const w = new FailureWindows(HOUR);
    w.failure('a', 0);
    w.failure('a', 1);
    expect(w.success('a', 2, false)).toMatchObject({ notify: false, sinceLastMessage: 1, consecutive: 2 });
    expect(w.failure('a', HOUR)).toMatchObject({ send: true, sinceLastMessage: 2, consecutive: 1, previousMessageAt: 0 });
  });

  it('a window of 0 sends every failure', () => {
    const w = new FailureWindows(0);
    expect([w.failure('a', 0).send, w.failure('a', 0).send, w.failure('a', 0).send]).toEqual([true, true, true]);
  });

  it('forgets a healthy job once its window is over, and the least recently failed job past maxJobs', () => {
    const w = new FailureWindows(HOUR, 2);
    w.failure('a', 0);
    w.success('a', 1, true);
    w.sweep(HOUR + 1);
    expect(w.failure('a', HOUR + 1)).toMatchObject({ send: true, previousMessageAt: undefined });
    w.failure('b', HOUR + 2);
    w.failure('c', HOUR + 3);
    expect(w.failing).toBe(2);
    expect(w.success('a', HOUR + 4, true)).toBeUndefined();
    expect(w.success('b', HOUR + 4, true)?.notify).toBe(true);
  });
});
