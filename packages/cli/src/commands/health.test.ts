import { describe, expect, it } from 'vitest';
import type { HostHealth } from '../remote/admin-client.js';
import { healthExitCode, renderHealth } from './health.js';

const check = (name: string, level: HostHealth['checks'][number]['level'], status: HostHealth['checks'][number]['status'], detail?: string): HostHealth['checks'][number] => ({
  name,
  level,
  status,
  failsReadiness: level !== 'warning',
  ms: 1,
  ...(detail === undefined ? {} : { detail }),
});

const report = (status: HostHealth['status'], checks: HostHealth['checks']): HostHealth => ({
  status,
  live: status !== 'down',
  ready: status === 'ok' || status === 'warn',
  checkedAt: '2026-12-06T23:50:01.123Z',
  checks,
});

describe('xcore health', () => {
  it('exits as /health answers: 0 while ready (warnings too, unless --strict), 7 when not ready or not live', () => {
    const ok = report('ok', []);
    const warn = report('warn', [check('plugins', 'warning', 'warn', 'plugin dash failed')]);
    expect([healthExitCode(ok, true, false), healthExitCode(ok, true, true)]).toEqual([0, 0]);
    expect([healthExitCode(warn, true, false), healthExitCode(warn, true, true)]).toEqual([0, 7]);
    expect(healthExitCode(report('not-ready', [check('kernel', 'readiness', 'fail', 'the host is stopping')]), false, false)).toBe(7);
    expect(healthExitCode(report('down', [check('event-loop', 'liveness', 'fail', 'stalled')]), false, false)).toBe(7);
  });

  it('prints the verdict, then each check with the first line of its detail', () => {
    const text = renderHealth(
      report('warn', [check('event-loop', 'liveness', 'ok'), check('plugins', 'warning', 'warn', 'plugin dash failed: dash is broken\n    at onStart')]),
      'http://127.0.0.1:8080/ops',
      {},
    );
    expect(text).toBe(
      [
        'status   warn',
        'host     http://127.0.0.1:8080/ops',
        'live     yes',
        'ready    yes',
        'checked  2026-12-06 23:50:01 UTC',
        '',
        'CHECK       LEVEL     STATUS  DETAIL',
        'event-loop  liveness  ok',
        'plugins     warning   warn    plugin dash failed: dash is broken',
        '',
      ].join('\n'),
    );
  });
});
