/**
 * The contract of the host's health: checks at three levels (liveness, readiness, warning), and
 * the reports `/livez`, `/readyz` and `/health` answer with.
 */

/**
 * What a failing check means for the host.
 *
 * @remarks
 * - `liveness`: the process itself is broken (its event loop is stuck); a failing one fails
 *   `/livez` (a probe restarts the process) and `/readyz`.
 * - `readiness`: the host cannot do its work now (booting or stopping, its store unreachable,
 *   firing impossible); a failing one fails `/readyz` (traffic and leadership move elsewhere), not
 *   `/livez`, since restarting would not help.
 * - `warning`: something the operator should look at (a failing or overdue job, a failed plugin,
 *   a check a plugin reported); shown in `/health` as `warn` and failing neither probe, unless
 *   `health.failReadinessOn` names the check, which then fails `/readyz`.
 */
export type HealthLevel = 'liveness' | 'readiness' | 'warning';

/** What one check says when asked. */
export interface HealthCheckOutcome {
  /** `false` when the check finds a problem. */
  readonly healthy: boolean;
  /** One line for people: what is wrong (or, when healthy, a short summary). */
  readonly detail?: string;
  /** Structured detail served by `/health` (JSON values only). */
  readonly data?: Readonly<Record<string, unknown>>;
}

/**
 * A check registered with {@link HealthService.register}.
 *
 * @remarks
 * `check` is called on every probe and must be cheap (read state the component keeps; do not
 * open connections). It runs under `health.checkTimeout`: one that throws or does not answer in
 * time counts as unhealthy, with the reason as its detail; `signal` aborts at that timeout.
 */
export interface HealthCheck {
  /** Unique name: letters, digits and `_.:/-`, 1-100 characters (`scheduler`, `jobs`, `event-loop`). */
  readonly name: string;
  readonly level: HealthLevel;
  check(signal: AbortSignal): HealthCheckOutcome | Promise<HealthCheckOutcome>;
}

/** A check's state in a report: `ok`, `warn` (a warning-level problem) or `fail`. */
export type HealthCheckStatus = 'ok' | 'warn' | 'fail';

/** One check as a report shows it. */
export interface HealthCheckResult {
  readonly name: string;
  readonly level: HealthLevel;
  readonly status: HealthCheckStatus;
  /** True when `health.failReadinessOn` names this warning-level check, so its problems fail readiness. */
  readonly failsReadiness: boolean;
  readonly detail?: string;
  readonly data?: Readonly<Record<string, unknown>>;
  /** How long the check took, ms. */
  readonly ms: number;
}

/**
 * The host's overall state: `ok`, `warn` (ready, with warnings), `not-ready` (live but
 * `/readyz` fails) or `down` (`/livez` fails).
 */
export type HealthStatus = 'ok' | 'warn' | 'not-ready' | 'down';

/** A health report: the verdicts and each check asked. */
export interface HealthReport {
  readonly status: HealthStatus;
  /** What `/livez` answers: no liveness check fails. */
  readonly live: boolean;
  /** What `/readyz` answers: live, and no readiness check (nor warning check named in `failReadinessOn`) fails. */
  readonly ready: boolean;
  /** When the checks ran (ISO 8601). */
  readonly checkedAt: string;
  /** The checks asked, sorted by level (liveness, readiness, warning) then name. */
  readonly checks: readonly HealthCheckResult[];
}

/** What `/livez` and `/readyz` answer from: the verdict and the checks it was made of. */
export interface HealthVerdict {
  /** True when none of the checks asked fails. */
  readonly ok: boolean;
  readonly checks: readonly HealthCheckResult[];
}

/**
 * The host's health: the core service `health` (`getService('health')`).
 *
 * @remarks
 * The kernel registers the `event-loop` (liveness), `kernel` (readiness: booted and not
 * stopping) and `plugins` (warning: a plugin failed or was skipped) checks; services add theirs
 * (the scheduler: `scheduler` for readiness, `jobs` for failing and overdue jobs); the `health`
 * plugin adds `checks`, the checks plugins report to it. The http service serves it as `/livez`,
 * `/readyz` and `/health`.
 *
 * @example
 * ```ts
 * const health = ctx.getService('health');
 * const off = health.register({ name: 'db', level: 'readiness', check: () => ({ healthy: pool.connected }) });
 * // ... in onStop:
 * off();
 * ```
 */
export interface HealthService {
  /**
   * Adds a check; returns a function that removes it.
   * @throws `XCORE_ERR_HEALTH_CHECK_INVALID` for a malformed check or a name already registered.
   */
  register(check: HealthCheck): () => void;
  /** Asks the liveness checks only (what `/livez` answers). */
  live(): Promise<HealthVerdict>;
  /** Asks the liveness, readiness and escalated warning checks (what `/readyz` answers). */
  ready(): Promise<HealthVerdict>;
  /** Asks every check (what `/health` serves). */
  report(): Promise<HealthReport>;
  /** Names of the registered checks, sorted. */
  names(): string[];
}
