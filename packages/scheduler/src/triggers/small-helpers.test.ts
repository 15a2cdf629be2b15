import { describe, expect, it } from 'vitest';
import { describeTrigger, formatDuration } from './describe-trigger.js';
import { applyJitter } from './jitter.js';
import { retryDelay } from './retry-delay.js';

describe('describeTrigger', () => {
  it('describes each kind in one line', () => {
    expect(describeTrigger({ type: 'interval', everyMs: 5_000 })).toBe('every 5s');
    expect(describeTrigger({ type: 'interval', everyMs: 90_500 })).toBe('every 1m30s500ms');
    expect(describeTrigger({ type: 'interval', everyMs: 129_600_000 })).toBe('every 1d12h');
    expect(describeTrigger({ type: 'cron', expression: '0 9 * * 1-5', timezone: 'Europe/Berlin' })).toBe('cron "0 9 * * 1-5" (Europe/Berlin)');
    expect(describeTrigger({ type: 'date', runDate: Date.parse('2026-05-01T12:00:00Z') })).toBe('once at 2026-05-01T12:00:00.000Z');
  });

  it('appends bounds', () => {
    expect(
      describeTrigger({ type: 'interval', everyMs: 3_600_000, startDate: Date.parse('2026-01-01T00:00:00Z'), endDate: Date.parse('2026-02-01T00:00:00Z'), maxRuns: 1 }),
    ).toBe('every 1h from 2026-01-01T00:00:00.000Z until 2026-02-01T00:00:00.000Z, max 1 run');
    expect(formatDuration(250)).toBe('250ms');
  });
});

describe('applyJitter', () => {
  it('returns scheduledAt without jitter', () => {
    expect(applyJitter(10_000, 0, 20_000, () => 0.9)).toBe(10_000);
  });

  it('delays uniformly up to jitterMs', () => {
    expect(applyJitter(10_000, 1_000, null, () => 0)).toBe(10_000);
    expect(applyJitter(10_000, 1_000, null, () => 0.5)).toBe(10_500);
    expect(applyJitter(10_000, 1_000, 60_000, () => 0.9999)).toBe(11_000);
  });

  it('narrows the window to stay strictly before the next fire time', () => {
    expect(applyJitter(10_000, 3_000, 11_000, () => 0.9999)).toBe(10_999);
    expect(applyJitter(10_000, 3_000, 11_000, () => 0.5)).toBe(10_500);
    expect(applyJitter(10_000, 3_000, 10_001, () => 0.9999)).toBe(10_000);
  });
});

describe('retryDelay', () => {
  it('doubles per attempt with equal jitter by default', () => {
    expect(retryDelay(1, 1_000, () => 0)).toBe(500);
    expect(retryDelay(1, 1_000, () => 0.5)).toBe(750);
    expect(retryDelay(3, 1_000, () => 0.5)).toBe(3_000);
  });

  it('supports full and no jitter', () => {
    expect(retryDelay(2, 1_000, () => 0.25, { jitter: 'full' })).toBe(500);
    expect(retryDelay(4, 1_000, () => 0.25, { jitter: 'none' })).toBe(8_000);
  });

  it('caps the exponential delay, even for huge attempts', () => {
    expect(retryDelay(20, 1_000, () => 0)).toBe(300_000);
    expect(retryDelay(5_000, 1_000, () => 0.9999, { jitter: 'none', maxMs: 60_000 })).toBe(60_000);
  });

  it('is 0 for attempt < 1 or a non-positive base', () => {
    expect(retryDelay(0, 1_000, () => 0.5)).toBe(0);
    expect(retryDelay(2, 0, () => 0.5)).toBe(0);
  });
});
