import { describe, expect, it } from 'vitest';
import { decideRestart } from './restart-policy.js';

const settings = { restartDelayMs: 1_000, maxRestartDelayMs: 5_000, maxCrashes: 4, crashWindowMs: 60_000 };

describe('decideRestart', () => {
  it('doubles the delay per crash in the window, capped, and fails at maxCrashes', () => {
    let crashes: number[] = [];
    const decisions = [0, 10_000, 20_000, 30_000].map((now) => {
      const next = decideRestart(crashes, now, settings);
      crashes = next.crashes;
      return next.decision;
    });
    expect(decisions).toEqual([
      { action: 'restart', delayMs: 1_000, crashes: 1 },
      { action: 'restart', delayMs: 2_000, crashes: 2 },
      { action: 'restart', delayMs: 4_000, crashes: 3 },
      { action: 'fail', crashes: 4 },
    ]);
  });

  it('caps the delay at maxRestartDelayMs', () => {
    expect(decideRestart([1, 2, 3, 4, 5], 6, { ...settings, maxCrashes: 100 }).decision).toEqual({ action: 'restart', delayMs: 5_000, crashes: 6 });
  });

  it('forgets crashes older than the window', () => {
    const { decision, crashes } = decideRestart([0, 10_000, 20_000], 75_000, settings);
    expect(crashes).toEqual([20_000, 75_000]);
    expect(decision).toEqual({ action: 'restart', delayMs: 2_000, crashes: 2 });
  });
});
