/**
 * The health registry: checks reported by plugins, and the overall status they add up to.
 *
 * @remarks
 * Pure: no I/O and no clock of its own; every method takes `now` (ms since the epoch), so the
 * logic is tested with plain numbers.
 */

/** What a single check says about itself. */
export type CheckStatus = 'ok' | 'warn' | 'fail';

/** Overall status: `ok` (all ok), `degraded` (some warn), `down` (some fail or stale). */
export type OverallStatus = 'ok' | 'degraded' | 'down';

/** A report as plugins send it with `call('health', 'report', report)`. */
export interface CheckReport {
  /** Check name, e.g. `heartbeat` or `db:primary`. */
  readonly check: string;
  readonly status: CheckStatus;
  /** Human-readable detail (why it warns or fails). */
  readonly detail?: string;
  /**
   * How long the report stays valid, ms; a check not reported again within it counts as `fail`.
   * @defaultValue the registry's `defaultTtlMs`
   */
  readonly ttlMs?: number;
}

/** A check as the registry reports it. */
export interface CheckState {
  readonly check: string;
  /** The reported status, or `fail` when the report is stale. */
  readonly status: CheckStatus;
  readonly detail: string | undefined;
  /** When it was last reported, ms since the epoch. */
  readonly reportedAt: number;
  /** True when the last report is older than its ttl. */
  readonly stale: boolean;
}

/** The answer to `call('health', 'status')`. */
export interface HealthSnapshot {
  readonly status: OverallStatus;
  /** Every check, sorted by name. */
  readonly checks: readonly CheckState[];
}

interface Entry {
  readonly report: CheckReport;
  readonly reportedAt: number;
  readonly ttlMs: number;
}

const CHECK_NAME = /^[\w.:/-]{1,100}$/;
const STATUSES: ReadonlySet<string> = new Set(['ok', 'warn', 'fail']);

/** A keeper of checks; see {@link createHealthRegistry}. */
export interface HealthRegistry {
  /** Records a report; returns the overall status before and after, so callers can log changes. */
  report(report: CheckReport, now: number): { before: OverallStatus; after: OverallStatus };
  /** Removes a check; returns whether it existed. */
  remove(check: string): boolean;
  /** The overall status and every check at `now`. */
  snapshot(now: number): HealthSnapshot;
}

/**
 * Creates an empty {@link HealthRegistry}.
 *
 * @param defaultTtlMs - Validity of a report that gives no `ttlMs`; `0` means reports never go stale.
 */
export function createHealthRegistry(defaultTtlMs: number): HealthRegistry {
  const entries = new Map<string, Entry>();

  const snapshot = (now: number): HealthSnapshot => {
    const checks = [...entries.values()]
      .map(({ report, reportedAt, ttlMs }): CheckState => {
        const stale = ttlMs > 0 && now - reportedAt > ttlMs;
        return {
          check: report.check,
          status: stale ? 'fail' : report.status,
          detail: stale ? `no report for ${now - reportedAt} ms (ttl ${ttlMs} ms)` : report.detail,
          reportedAt,
          stale,
        };
      })
      .sort((a, b) => (a.check < b.check ? -1 : a.check > b.check ? 1 : 0));
    const status: OverallStatus = checks.some((c) => c.status === 'fail') ? 'down' : checks.some((c) => c.status === 'warn') ? 'degraded' : 'ok';
    return { status, checks };
  };

  return {
    report(report, now) {
      const before = snapshot(now).status;
      entries.set(report.check, { report, reportedAt: now, ttlMs: report.ttlMs ?? defaultTtlMs });
      return { before, after: snapshot(now).status };
    },
    remove: (check) => entries.delete(check),
    snapshot,
  };
}

/**
 * Checks an untrusted payload is a {@link CheckReport} and returns it, or a reason it is not.
 *
 * @remarks Payloads arrive from other plugins through `call`, so they are checked at the boundary.
 */
export function parseCheckReport(payload: unknown): CheckReport | string {
  if (payload === null || typeof payload !== 'object') return 'expected an object { check, status, detail?, ttlMs? }';
  const { check, status, detail, ttlMs } = payload as Record<string, unknown>;
  if (typeof check !== 'string' || !CHECK_NAME.test(check)) return `"check" must be 1-100 characters of letters, digits, "_.:/-", got ${JSON.stringify(check)}`;
  if (typeof status !== 'string' || !STATUSES.has(status)) return `"status" must be "ok", "warn" or "fail", got ${JSON.stringify(status)}`;
  if (detail !== undefined && typeof detail !== 'string') return '"detail" must be a string';
  if (ttlMs !== undefined && (typeof ttlMs !== 'number' || !Number.isFinite(ttlMs) || ttlMs < 0)) return '"ttlMs" must be a non-negative number';
  return {
    check,
    status: status as CheckStatus,
    ...(detail === undefined ? {} : { detail }),
    ...(ttlMs === undefined ? {} : { ttlMs }),
  };
}
