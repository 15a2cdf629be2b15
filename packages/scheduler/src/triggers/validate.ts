/**
 * Validation of trigger specs, cron expressions and timezones, with coded errors.
 *
 * @remarks
 * Called when a job is registered or a YAML file is loaded, so a bad spec fails at boot with a
 * message that says what is wrong and shows a valid example, instead of failing at fire time.
 */
import { CronInvalidError, TriggerInvalidError } from '../errors.js';
import { cronEverMatches } from './cron-schedule.js';
import { formatterFor } from './timezone.js';
import type { TriggerSpec } from './trigger.js';
import { MAX_INSTANT_MS } from './next-fire-time.js';

/**
 * Throws unless `timezone` is an IANA zone name this Node.js build knows.
 *
 * @remarks
 * Accepts what `Intl.DateTimeFormat` accepts: canonical names (`Europe/Berlin`), links
 * (`US/Eastern`), `UTC`, and `Etc/GMT+5`-style fixed zones. Raw offsets such as `+02:00` are
 * refused: they have no DST rules (use `Etc/GMT-2` if a fixed offset is really meant).
 *
 * @throws `TimezoneInvalidError` (`XCORE_ERR_TIMEZONE_INVALID`) quoting the zone.
 * @example
 * ```ts
 * validateTimezone('Europe/Berlin'); // ok
 * validateTimezone('Europe/Berln');  // throws XCORE_ERR_TIMEZONE_INVALID
 * ```
 */
export function validateTimezone(timezone: string): void {
  formatterFor(timezone);
}

/**
 * Throws unless `expression` is a valid xcore cron expression in a valid `timezone` that matches
 * at least one date.
 *
 * @remarks
 * Valid: 5 fields (`minute hour day-of-month month day-of-week`), 6 fields with seconds first,
 * or one of the macros `@yearly @annually @monthly @weekly @daily @midnight @hourly`. A pattern
 * that can never match (`0 0 30 2 *`, February 30th) is refused too.
 *
 * @defaultValue `timezone` is `UTC`.
 * @throws `CronInvalidError` (`XCORE_ERR_CRON_INVALID`) quoting the expression, or
 * `TimezoneInvalidError` (`XCORE_ERR_TIMEZONE_INVALID`) quoting the zone.
 * @example
 * ```ts
 * validateCronExpression('0 9 * * 1-5', 'Europe/Berlin'); // ok
 * validateCronExpression('0 9 * *', 'UTC'); // throws: it has 4 fields, expected 5 or 6
 * ```
 */
export function validateCronExpression(expression: string, timezone = 'UTC'): void {
  if (typeof expression !== 'string') {
    throw new CronInvalidError(String(expression), `it must be a string, got ${typeof expression} (quote it in YAML: "0 9 * * *")`);
  }
  if (expression.trim() === '') throw new CronInvalidError(expression, 'it is empty', { forms: true });
  validateTimezone(timezone);
  if (!cronEverMatches(expression, timezone)) {
    throw new CronInvalidError(expression, 'it never matches a date (check the day-of-month against the month)');
  }
}

function checkTime(field: string, value: number | undefined): void {
  if (value !== undefined && !(typeof value === 'number' && Math.abs(value) <= MAX_INSTANT_MS)) {
    throw new TriggerInvalidError(field, `must be epoch milliseconds a Date can hold (within ±8.64e15), found ${String(value)}`);
  }
}

/**
 * Throws unless `spec` can produce fire times: the checks of {@link validateCronExpression} and
 * {@link validateTimezone} for cron, a whole `everyMs` of at least 1 for intervals, finite dates,
 * `maxRuns` a whole number of at least 0, `startDate` not after `endDate`.
 *
 * @throws `TriggerInvalidError` (`XCORE_ERR_TRIGGER_INVALID`), `CronInvalidError` or
 * `TimezoneInvalidError`.
 * @example
 * ```ts
 * validateTrigger({ type: 'interval', everyMs: 0 }); // throws: everyMs must be a whole number >= 1
 * ```
 */
export function validateTrigger(spec: TriggerSpec): void {
  if (spec.type === 'date') {
    checkTime('runDate', spec.runDate);
    return;
  }
  if (spec.type === 'interval' && !(Number.isSafeInteger(spec.everyMs) && spec.everyMs >= 1)) {
    throw new TriggerInvalidError('everyMs', `must be a whole number of milliseconds >= 1, found ${String(spec.everyMs)}`);
  }
  if (spec.type === 'cron') validateCronExpression(spec.expression, spec.timezone);
  checkTime('startDate', spec.startDate);
  checkTime('endDate', spec.endDate);
  if (spec.maxRuns !== undefined && !(Number.isSafeInteger(spec.maxRuns) && spec.maxRuns >= 0)) {
    throw new TriggerInvalidError('maxRuns', `must be a whole number >= 0, found ${String(spec.maxRuns)}`);
  }
  if (spec.startDate !== undefined && spec.endDate !== undefined && spec.startDate > spec.endDate) {
    throw new TriggerInvalidError(
      'startDate',
      `(${new Date(spec.startDate).toISOString()}) is after endDate (${new Date(spec.endDate).toISOString()}); no occurrence can fire`,
    );
  }
}
