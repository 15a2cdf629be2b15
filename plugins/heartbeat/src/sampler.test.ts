import { describe, expect, it } from 'vitest';
import { LagRecorder, RESOLUTION_MS, startVitalsSampler } from './sampler.js';

describe('LagRecorder', () => {
  it('reads 0 for ticks that run on time, not the timer resolution', () => {
    const lag = new LagRecorder(20, 0);
    for (let t = 20; t <= 2000; t += 20) lag.tick(t);
    expect(lag.read()).toEqual({ p99Ms: 0, maxMs: 0 });
  });

  it('records how late a tick ran, and resets on read', () => {
    const lag = new LagRecorder(20, 0);
    lag.tick(20);
    lag.tick(240); // due at 40, ran 200 ms late
    lag.tick(260);
    const first = lag.read();
    expect(first.maxMs).toBeCloseTo(200, 0);
    expect(first.p99Ms).toBeCloseTo(200, 0);
    lag.tick(280);
    expect(lag.read()).toEqual({ p99Ms: 0, maxMs: 0 });
  });
});

describe('startVitalsSampler', () => {
  it('sees a blocked event loop right after a sample', async () => {
    const sampler = startVitalsSampler();
    try {
      await new Promise((resolve) => setTimeout(resolve, 3 * RESOLUTION_MS));
      sampler.sample();
      const until = Date.now() + 200;
      while (Date.now() < until) { /* block the loop */ }
      await new Promise((resolve) => setTimeout(resolve, 3 * RESOLUTION_MS));
      const sample = sampler.sample();
      expect(sample.lagMaxMs).toBeGreaterThan(150);
      expect(sample.heapUsedBytes).toBeGreaterThan(0);
    } finally {
      sampler.close();
    }
  });
});
