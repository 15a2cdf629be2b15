import { describe, expect, it } from 'vitest';
import { EventLoopWatch, TICK_MS } from './event-loop-watch.js';
import type { HealthCheck } from './health-types.js';
import { createHealthService } from './host-health.js';

const check = (name: string, level: HealthCheck['level'], healthy: boolean | (() => never) | 'hang', detail?: string): HealthCheck => ({
  name,
  level,
  check: () => {
    if (healthy === 'hang') return new Promise(() => undefined);
    if (typeof healthy === 'function') return healthy();
    return { healthy, ...(detail === undefined ? {} : { detail }) };
  },
});

describe('the health service', () => {
  it('a failing warning check warns without failing readiness; a failing readiness check fails /readyz, not /livez', async () => {
    const health = createHealthService({ failReadinessOn: [], checkTimeout: 1_000 });
    health.register(check('event-loop', 'liveness', true));
    health.register(check('jobs', 'warning', false, 'failing: a:b'));
    expect((await health.ready()).ok).toBe(true);
    expect(await health.report()).toMatchObject({ status: 'warn', live: true, ready: true, checks: [{ name: 'event-loop', status: 'ok' }, { name: 'jobs', status: 'warn', failsReadiness: false, detail: 'failing: a:b' }] });

    const off = health.register(check('scheduler', 'readiness', false, 'store down'));
    expect(await health.live()).toMatchObject({ ok: true, checks: [{ name: 'event-loop' }] });
    expect(await health.ready()).toMatchObject({ ok: false, checks: [{ name: 'event-loop', status: 'ok' }, { name: 'scheduler', status: 'fail' }] });
    expect((await health.report()).status).toBe('not-ready');
    off();
    expect((await health.ready()).ok).toBe(true);

    health.register(check('heart', 'liveness', false));
    expect(await health.report()).toMatchObject({ status: 'down', live: false, ready: false });
  });

  it('failReadinessOn escalates the named warning checks only', async () => {
    const health = createHealthService({ failReadinessOn: ['jobs'], checkTimeout: 1_000 });
    health.register(check('plugins', 'warning', false));
    expect((await health.ready()).ok).toBe(true);
    health.register(check('jobs', 'warning', false));
    expect(await health.ready()).toMatchObject({ ok: false, checks: [{ name: 'jobs', status: 'fail', failsReadiness: true }] });
  });

  it('a check that throws, hangs past the timeout or answers garbage counts as failing with the reason', async () => {
    const health = createHealthService({ failReadinessOn: [], checkTimeout: 50 });
    health.register(check('a', 'readiness', () => { throw new Error('boom'); }));
    health.register(check('b', 'readiness', 'hang'));
    health.register({ name: 'c', level: 'readiness', check: () => 'yes' as never });
    const ready = await health.ready();
    expect(ready.checks.map((c) => [c.name, c.status, c.detail])).toEqual([
      ['a', 'fail', 'boom'],
      ['b', 'fail', 'did not answer within 50 ms'],
      ['c', 'fail', 'the check answered something other than { healthy: boolean, detail?, data? }'],
    ]);
  });

  it('refuses malformed checks and taken names with a coded error naming the check', () => {
    const health = createHealthService({ failReadinessOn: [], checkTimeout: 50 });
    health.register(check('db', 'readiness', true));
    expect(() => health.register(check('db', 'warning', true))).toThrow(expect.objectContaining({ code: 'XCORE_ERR_HEALTH_CHECK_INVALID', message: expect.stringContaining('"db"') }));
    expect(() => health.register(check('bad name', 'warning', true))).toThrow(expect.objectContaining({ code: 'XCORE_ERR_HEALTH_CHECK_INVALID' }));
    expect(() => health.register(check('x', 'sometimes' as never, true))).toThrow(expect.objectContaining({ message: expect.stringContaining('"level"') }));
    expect(() => health.register({ name: 'y', level: 'warning' } as never)).toThrow(expect.objectContaining({ message: expect.stringContaining('"check"') }));
    expect(health.names()).toEqual(['db']);
  });
});

describe('the event-loop watch', () => {
  it('fails while a stall of the limit happened in the last minute, or one is in progress', () => {
    let now = 0;
    const watch = new EventLoopWatch(1_000, () => now);
    const at = (t: number) => {
      now = t;
      watch.sample(t);
    };
    at(TICK_MS);
    at(2 * TICK_MS);
    expect(watch.outcome(now)).toMatchObject({ healthy: true, data: { worstStallMs: 0 } });
    at(2 * TICK_MS + TICK_MS + 1_500); // the loop did not turn for 1.5 s
    expect(watch.outcome(now)).toMatchObject({ healthy: false, detail: expect.stringContaining('stalled for 1500 ms') });
    at(now + TICK_MS);
    expect(watch.outcome(now + 59_000).healthy).toBe(false);
    at(now + 61_000); // the stall is over a minute old... but this tick itself was a 60.5 s stall
    expect(watch.outcome(now).healthy).toBe(false);
    const from = now;
    for (let t = from + TICK_MS; t < from + 62_000; t += TICK_MS) at(t);
    expect(watch.outcome(now)).toMatchObject({ healthy: true });
    // No tick for 2 s at probe time: a stall in progress.
    expect(watch.outcome(now + TICK_MS + 2_000)).toMatchObject({ healthy: false, detail: expect.stringContaining('has not turned for 2000 ms') });
  });
});
