/**
 * The host's health service: the registered checks, asked concurrently under a timeout, and the
 * verdicts they add up to.
 */
import type { HealthConfig } from '../config/types.js';
import { HealthCheckInvalidError } from '../errors.js';
import type { HealthCheck, HealthCheckResult, HealthLevel, HealthReport, HealthService, HealthVerdict } from './health-types.js';

const CHECK_NAME = /^[\w.:/-]{1,100}$/;
const LEVELS: readonly HealthLevel[] = ['liveness', 'readiness', 'warning'];

/** Creates the {@link HealthService} of a host from its `health` config section. */
export function createHealthService(config: Pick<HealthConfig, 'failReadinessOn' | 'checkTimeout'>): HealthService {
  const checks = new Map<string, HealthCheck>();
  const escalated = new Set<string>(config.failReadinessOn);

  const ask = (which: (check: HealthCheck) => boolean): Promise<HealthCheckResult[]> =>
    Promise.all(
      [...checks.values()]
        .filter(which)
        .sort((a, b) => LEVELS.indexOf(a.level) - LEVELS.indexOf(b.level) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
        .map((check) => run(check, escalated.has(check.name), config.checkTimeout)),
    );
  const failing = (results: readonly HealthCheckResult[]): boolean => results.some((r) => r.status === 'fail');

  return {
    register(check: HealthCheck): () => void {
      assertCheck(check);
      if (checks.has(check.name)) throw new HealthCheckInvalidError(check.name, 'a check with this name is already registered; pick another name or remove the other first');
      checks.set(check.name, check);
      return () => {
        if (checks.get(check.name) === check) checks.delete(check.name);
      };
    },
    async live(): Promise<HealthVerdict> {
      const results = await ask((c) => c.level === 'liveness');
      return { ok: !failing(results), checks: results };
    },
    async ready(): Promise<HealthVerdict> {
      const results = await ask((c) => c.level !== 'warning' || escalated.has(c.name));
      return { ok: !failing(results), checks: results };
    },
    async report(): Promise<HealthReport> {
      const checkedAt = new Date().toISOString();
      const results = await ask(() => true);
      const live = !failing(results.filter((r) => r.level === 'liveness'));
      const ready = live && !failing(results);
      const status = !live ? 'down' : !ready ? 'not-ready' : results.some((r) => r.status === 'warn') ? 'warn' : 'ok';
      return { status, live, ready, checkedAt, checks: results };
    },
    names: () => [...checks.keys()].sort(),
  };
}

/** Checks a check before it is registered (plugins register them; the values are untrusted). */
function assertCheck(check: HealthCheck): void {
  if (check === null || typeof check !== 'object') throw new HealthCheckInvalidError(String(check), 'expected an object { name, level, check }');
  const name = (check as { name?: unknown }).name;
  const shown = typeof name === 'string' ? name : JSON.stringify(name) ?? String(name);
  if (typeof name !== 'string' || !CHECK_NAME.test(name)) throw new HealthCheckInvalidError(shown, '"name" must be 1-100 letters, digits or "_.:/-"');
  if (!LEVELS.includes(check.level)) throw new HealthCheckInvalidError(name, `"level" must be one of ${LEVELS.join(', ')}, got ${JSON.stringify(check.level)}`);
  if (typeof check.check !== 'function') throw new HealthCheckInvalidError(name, '"check" must be a function returning { healthy, detail?, data? }');
}

/** Asks one check under `timeoutMs`; a throw, a timeout or a malformed answer counts as unhealthy. */
async function run(check: HealthCheck, escalated: boolean, timeoutMs: number): Promise<HealthCheckResult> {
  const began = performance.now();
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new Error(`did not answer within ${timeoutMs} ms`);
      controller.abort(error);
      reject(error);
    }, timeoutMs);
  });
  let healthy: boolean;
  let detail: string | undefined;
  let data: Readonly<Record<string, unknown>> | undefined;
  try {
    const outcome: unknown = await Promise.race([Promise.resolve().then(() => check.check(controller.signal)), timeout]);
    if (outcome === null || typeof outcome !== 'object' || typeof (outcome as { healthy?: unknown }).healthy !== 'boolean') {
      healthy = false;
      detail = 'the check answered something other than { healthy: boolean, detail?, data? }';
    } else {
      ({ healthy, detail, data } = outcome as { healthy: boolean; detail?: string; data?: Record<string, unknown> });
      if (detail !== undefined && typeof detail !== 'string') detail = String(detail);
    }
  } catch (error) {
    healthy = false;
    detail = error instanceof Error ? error.message : String(error);
  } finally {
    clearTimeout(timer);
  }
  const status = healthy ? 'ok' : check.level === 'warning' && !escalated ? 'warn' : 'fail';
  return {
    name: check.name,
    level: check.level,
    status,
    failsReadiness: check.level !== 'warning' || escalated,
    ...(detail === undefined ? {} : { detail }),
    ...(data === undefined || data === null || typeof data !== 'object' ? {} : { data }),
    ms: Math.round((performance.now() - began) * 10) / 10,
  };
}
