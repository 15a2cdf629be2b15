import { describe, expect, it } from 'vitest';
import { createHealthRegistry, parseCheckReport } from './health-registry.js';

describe('health registry', () => {
  it('adds checks up to ok, degraded and down, sorted by name', () => {
    const registry = createHealthRegistry(0);
    expect(registry.snapshot(0)).toEqual({ status: 'ok', checks: [] });
    expect(registry.report({ check: 'web', status: 'ok' }, 1_000)).toEqual({ before: 'ok', after: 'ok' });
    expect(registry.report({ check: 'db', status: 'warn', detail: 'slow' }, 2_000)).toEqual({ before: 'ok', after: 'degraded' });
    expect(registry.report({ check: 'cache', status: 'fail', detail: 'refused' }, 3_000)).toEqual({ before: 'degraded', after: 'down' });
    expect(registry.snapshot(3_000)).toEqual({
      status: 'down',
      checks: [
        { check: 'cache', status: 'fail', detail: 'refused', reportedAt: 3_000, stale: false },
        { check: 'db', status: 'warn', detail: 'slow', reportedAt: 2_000, stale: false },
        { check: 'web', status: 'ok', detail: undefined, reportedAt: 1_000, stale: false },
      ],
    });
    expect(registry.remove('cache')).toBe(true);
    expect(registry.remove('cache')).toBe(false);
    expect(registry.snapshot(3_000).status).toBe('degraded');
  });

  it('fails a check whose report is older than its ttl (default or its own)', () => {
    const registry = createHealthRegistry(10_000);
    registry.report({ check: 'heartbeat', status: 'ok', ttlMs: 3_000 }, 0);
    registry.report({ check: 'db', status: 'ok' }, 0);
    expect(registry.snapshot(3_000).status).toBe('ok');
    expect(registry.snapshot(3_001).checks[1]).toEqual({
      check: 'heartbeat',
      status: 'fail',
      detail: 'no report for 3001 ms (ttl 3000 ms)',
      reportedAt: 0,
      stale: true,
    });
    expect(registry.snapshot(3_001).status).toBe('down');
    expect(registry.snapshot(10_001).checks.map((c) => c.stale)).toEqual([true, true]);
    registry.report({ check: 'heartbeat', status: 'ok', ttlMs: 3_000 }, 10_001);
    expect(registry.snapshot(10_001).checks.map((c) => [c.check, c.status])).toEqual([
      ['db', 'fail'],
      ['heartbeat', 'ok'],
    ]);
  });

  it('checks report payloads', () => {
    expect(parseCheckReport({ check: 'db:main', status: 'warn', detail: 'lag', ttlMs: 5 })).toEqual({ check: 'db:main', status: 'warn', detail: 'lag', ttlMs: 5 });
    expect(parseCheckReport(null)).toBe('expected an object { check, status, detail?, ttlMs? }');
    expect(parseCheckReport({ check: '', status: 'ok' })).toContain('"check" must be');
    expect(parseCheckReport({ check: 'a', status: 'good' })).toBe('"status" must be "ok", "warn" or "fail", got "good"');
    expect(parseCheckReport({ check: 'a', status: 'ok', ttlMs: -1 })).toBe('"ttlMs" must be a non-negative number');
  });
});
