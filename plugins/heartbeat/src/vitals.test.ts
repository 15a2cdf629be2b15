import { describe, expect, it } from 'vitest';
import { assessVitals, type VitalsSample } from './vitals.js';

const MIB = 1024 * 1024;
const thresholds = { lagWarnMs: 100, lagFailMs: 1000, heapWarnRatio: 0.85 };
const sample = (over: Partial<VitalsSample> = {}): VitalsSample => ({
  lagP99Ms: 12.34,
  lagMaxMs: 20,
  heapUsedBytes: 100 * MIB,
  heapLimitBytes: 1000 * MIB,
  rssBytes: 150 * MIB,
  ...over,
});

describe('assessVitals', () => {
  it('is ok under every threshold and prints the figures', () => {
    expect(assessVitals(sample(), thresholds)).toEqual({
      status: 'ok',
      detail: 'lag p99 12.3 ms (max 20.0), heap 100/1000 MiB (10%), rss 150 MiB',
    });
  });

  it('warns on a slow loop, fails on a blocked one, at the thresholds', () => {
    expect(assessVitals(sample({ lagP99Ms: 99.9 }), thresholds).status).toBe('ok');
    expect(assessVitals(sample({ lagP99Ms: 100 }), thresholds)).toMatchObject({ status: 'warn', detail: expect.stringMatching(/^event loop slow \(p99 >= 100 ms\): /) });
    expect(assessVitals(sample({ lagP99Ms: 1000 }), thresholds)).toMatchObject({ status: 'fail', detail: expect.stringMatching(/^event loop blocked/) });
  });

  it('warns on a heap near its limit, and keeps a lag failure as fail', () => {
    expect(assessVitals(sample({ heapUsedBytes: 850 * MIB }), thresholds)).toMatchObject({ status: 'warn', detail: expect.stringMatching(/^heap above 85% of its limit: /) });
    expect(assessVitals(sample({ heapUsedBytes: 900 * MIB, lagP99Ms: 2000 }), thresholds)).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/^event loop blocked \(p99 >= 1000 ms\); heap above 85% of its limit: /),
    });
  });
});
