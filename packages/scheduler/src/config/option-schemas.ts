/**
 * The one definition of every option a user can give the scheduler: job options (`addJob`,
 * `modifyJob`, `rescheduleJob`, the `interval`/`cron` helpers and decorators, YAML jobs), policy
 * defaults and `Scheduler` options.
 *
 * @remarks
 * The YAML schema (`scheduler-config.ts`) and the API (`parse-options.ts`) are built from these
 * zod schemas, so a value is accepted or refused the same way wherever it is written, with the
 * same message: the allowed range and what was found. Bounds are in {@link OPTION_LIMITS}; each
 * says why it is where it is. Values come out normalised (durations and dates in whole epoch
 * milliseconds), and normalising a normalised value changes nothing, so YAML jobs pass through
 * the API schema a second time unchanged.
 */
import { duration, durationMs, durationText, XcoreError } from '@xcore/core';
import { z } from 'zod';
import { validateCronExpression, validateTimezone } from '../triggers/validate.js';

const DAY = 86_400_000;

/**
 * Bounds of every option, in milliseconds for durations and dates.
 *
 * @remarks
 * Dates are kept to ISO years 0000 to 9999: inside the JS Date range (±8.64e15 ms) with room for
 * any interval to step past them without leaving it, and every difference of two dates stays an
 * exact double (far below 2^53), so interval arithmetic is exact.
 */
export const OPTION_LIMITS = Object.freeze({
  /** 0000-01-01T00:00:00.000Z. */
  minDateMs: -62_167_219_200_000,
  /** 9999-12-31T23:59:59.999Z. */
  maxDateMs: 253_402_300_799_999,
  /** Longest duration of a job option (interval, timeout, grace time, retry delay, jitter): 3650 days, about 10 years. */
  maxDurationMs: 3_650 * DAY,
  /** A lease must outlive a claim-to-commit round trip and a GC pause (1 s), and a dead process's work waits at most a lease (1 day). */
  leaseMs: { min: 1_000, max: DAY },
  /** Below 10 ms the runner would spin; past a day a lost change hint would delay work that long. */
  pollMs: { min: 10, max: DAY },
  /** Runs may start up to one window late: up to a minute. */
  claimWindowMs: { min: 0, max: 60_000 },
  /** Schedules claimed per store round trip. */
  batchSize: { min: 1, max: 100_000 },
  /** Concurrent runs of one job across all processes. */
  maxInstances: { min: 1, max: 10_000 },
  /** One catch-up plans (and may start) this many runs at most. */
  maxCatchUp: { min: 1, max: 10_000 },
  /** Retries of one occurrence (each waits up to the 10-minute backoff cap). */
  retries: { min: 0, max: 1_000 },
  /** Run records kept per job (the history is held in memory or in Redis). */
  historyLimit: { min: 0, max: 10_000 },
  /** Longest job id, owner id, cron expression and timezone name, in UTF-16 code units. */
  idLength: 200,
  cronLength: 512,
  timezoneLength: 64,
});

const ISO_MIN = new Date(OPTION_LIMITS.minDateMs).toISOString();
const ISO_MAX = new Date(OPTION_LIMITS.maxDateMs).toISOString();

/** `0..N` ranges of the job policy durations. */
const JOB_DURATION = { max: OPTION_LIMITS.maxDurationMs } as const;

/** `1ms to 3650d`: a duration range for option descriptions. */
function span(min: number, max: number): string {
  return `${durationText(min)} to ${durationText(max)}`;
}

/** Said in the description of every date option. */
const DATE_NOTE = 'Years 0000 to 9999.';

/**
 * A value checked by `parse` (returning `undefined` to refuse it), documented by `json` in the
 * JSON Schema; a refused value is one issue `expected <expected>` with what was found.
 */
function checked<T>(json: Record<string, unknown>, expected: string, parse: (value: unknown) => T | undefined): z.ZodType<T, unknown> {
  return z
    .any()
    .meta(json)
    .transform((value: unknown, ctx) => {
      const out = parse(value);
      if (out === undefined) {
        ctx.addIssue({ code: 'custom', message: `expected ${expected}`, params: { expected }, input: value });
        return z.NEVER;
      }
      return out;
    }) as unknown as z.ZodType<T, unknown>;
}

/** A whole number in `[min, max]`. */
export function integerIn(min: number, max: number): z.ZodType<number, number> {
  const unbounded = max >= Number.MAX_SAFE_INTEGER;
  const expected = unbounded ? `a whole number of at least ${min}` : `a whole number from ${min} to ${max}`;
  const json = unbounded ? { type: 'integer', minimum: min } : { type: 'integer', minimum: min, maximum: max };
  return checked(json, expected, (v) => (typeof v === 'number' && Number.isSafeInteger(v) && v >= min && v <= max ? v : undefined)) as z.ZodType<number, number>;
}

const nonNegativeNumber = checked({ type: 'number', minimum: 0 }, 'a number of at least 0', (v) =>
  typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined,
) as z.ZodType<number, number>;

/** Epoch ms of a date given as a `Date`, epoch milliseconds or date text; `undefined` when it is none. */
function dateMs(value: unknown): number | undefined {
  let ms: number;
  if (value instanceof Date) ms = Date.prototype.getTime.call(value);
  else if (typeof value === 'number') ms = new Date(value).getTime(); // TimeClip: whole ms, as a Date would hold
  else if (typeof value === 'string' && value.length <= 64) ms = Date.parse(value);
  else return undefined;
  return ms >= OPTION_LIMITS.minDateMs && ms <= OPTION_LIMITS.maxDateMs ? ms : undefined;
}

/** What a date option must be, as said in messages. */
export const DATE_EXPECTED = `a Date, epoch milliseconds or ISO 8601 text like "2026-01-31T09:00:00Z", from ${ISO_MIN} to ${ISO_MAX}`;

/** A date: a `Date`, epoch milliseconds or ISO 8601 text (a YAML timestamp too); output is epoch ms. */
export const dateValue = checked(
  { anyOf: [{ type: 'string' }, { type: 'number', minimum: OPTION_LIMITS.minDateMs, maximum: OPTION_LIMITS.maxDateMs }] },
  DATE_EXPECTED,
  dateMs,
) as z.ZodType<number, Date | number | string>;

/** Runs a throwing validator as a zod refinement; the coded error travels in `params.error`. */
function refineWith(check: (value: string) => void) {
  return (value: string, ctx: z.RefinementCtx): void => {
    try {
      check(value);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: error instanceof Error ? error.message : String(error), params: { error } });
    }
  };
}

/** An IANA timezone name this Node.js knows. */
export const timezoneValue = z.string().min(1).max(OPTION_LIMITS.timezoneLength).superRefine(refineWith(validateTimezone));

/** A cron expression (checked in UTC here; the job's timezone is checked with its trigger). */
export const cronExpressionValue = z.string().min(1).max(OPTION_LIMITS.cronLength).superRefine(refineWith((expression) => validateCronExpression(expression, 'UTC')));

/** Job ids and owner ids: no whitespace, control characters or lone surrogates (Redis would store those differently). */
const ID_PATTERN = /^[^\s\p{Cc}\p{Cs}]+$/u;
/** Printable ASCII: most ids, checked without the slower Unicode pattern. */
const ASCII_ID = /^[!-~]+$/;

/**
 * The check of {@link jobIdValue} and {@link ownerIdValue}: `v` when it is a valid id, else
 * `undefined`. Exported so the quick `addJob` path applies the very same rule without zod.
 */
export function validId(v: unknown): string | undefined {
  return typeof v === 'string' && v.length <= OPTION_LIMITS.idLength && (ASCII_ID.test(v) || ID_PATTERN.test(v)) ? v : undefined;
}

function idValue(what: string, example: string): z.ZodType<string, string> {
  const expected = `${what} of 1 to ${OPTION_LIMITS.idLength} characters without whitespace or control characters, like "${example}"`;
  return checked({ type: 'string', minLength: 1, maxLength: OPTION_LIMITS.idLength, pattern: ID_PATTERN.source }, expected, validId) as z.ZodType<string, string>;
}

/** A job id as given to `addJob` or in YAML. */
export const jobIdValue = idValue('a job id', 'nightly-report');
/** This process's owner id in claims and run slots. */
export const ownerIdValue = idValue('an owner id', 'web-1');

const intervalExpected = `a period from 1ms to ${durationText(OPTION_LIMITS.maxDurationMs)}`;
const intervalUnits = ['weeks', 'days', 'hours', 'minutes', 'seconds', 'milliseconds'] as const;
const UNIT_MS: Readonly<Record<(typeof intervalUnits)[number], number>> = {
  weeks: 604_800_000, days: DAY, hours: 3_600_000, minutes: 60_000, seconds: 1_000, milliseconds: 1,
};

/** The period of interval units in whole ms (the parts add up), or `undefined` when outside 1 ms..max. */
export function intervalUnitsMs(spec: { readonly [K in (typeof intervalUnits)[number]]?: number }): number | undefined {
  let total = 0;
  for (const unit of intervalUnits) total += (spec[unit] ?? 0) * UNIT_MS[unit];
  total = Math.round(total);
  return total >= 1 && total <= OPTION_LIMITS.maxDurationMs ? total : undefined;
}

const unitShape = {
  weeks: nonNegativeNumber.optional().describe(`Period part; the parts add up to ${span(1, OPTION_LIMITS.maxDurationMs)}.`),
  days: nonNegativeNumber.optional(),
  hours: nonNegativeNumber.optional(),
  minutes: nonNegativeNumber.optional(),
  seconds: nonNegativeNumber.optional(),
  milliseconds: nonNegativeNumber.optional(),
};

function checkPeriod(spec: Parameters<typeof intervalUnitsMs>[0], ctx: z.RefinementCtx): void {
  if (intervalUnitsMs(spec) !== undefined) return;
  let total = 0;
  for (const unit of intervalUnits) total += (spec[unit] ?? 0) * UNIT_MS[unit];
  const found = total === 0 ? 'no unit above 0' : Number.isFinite(total) ? `${Math.round(total)}ms in total` : 'a total too large to count';
  ctx.addIssue({ code: 'custom', message: `expected ${intervalExpected} (the units add up; set at least one, e.g. { seconds: 30 }), found ${found}` });
}

function checkOrder(b: { readonly startDate?: number | undefined; readonly endDate?: number | undefined }, ctx: z.RefinementCtx): void {
  if (b.startDate !== undefined && b.endDate !== undefined && b.endDate < b.startDate) {
    const expected = `an endDate at or after startDate (${new Date(b.startDate).toISOString()})`;
    ctx.addIssue({ code: 'custom', path: ['endDate'], message: `expected ${expected}`, params: { expected }, input: b.endDate });
  }
}

const everyUnits = z.strictObject(unitShape).superRefine(checkPeriod);

/**
 * `every`: a duration, or interval units such as `{ minutes: 1 }`; output is the duration in ms or
 * the units. Dispatched on the value's type (not a zod union), so a problem inside the units is
 * reported at its key (`every.weeks`) rather than as "neither form".
 */
export const everyValue = z
  .any()
  .meta({ anyOf: [{ type: 'number', minimum: 1 }, { type: 'string' }, { type: 'object' }] })
  .transform((value: unknown, ctx): number | z.output<typeof everyUnits> => {
    if (typeof value !== 'object' || value === null || value instanceof Date) {
      const ms = durationMs(value, { min: 1, max: OPTION_LIMITS.maxDurationMs });
      if (ms !== undefined) return ms;
      const expected = `${intervalExpected}: a duration (milliseconds or text like "30s") or units like { minutes: 5 }`;
      ctx.addIssue({ code: 'custom', message: `expected ${expected}`, params: { expected }, input: value });
      return z.NEVER;
    }
    const result = everyUnits.safeParse(value, { reportInput: true });
    if (result.success) return result.data;
    for (const issue of result.error.issues) ctx.addIssue({ ...issue });
    return z.NEVER;
  }) as unknown as z.ZodType<number | z.output<typeof everyUnits>, unknown>;

/** `endDate` and `maxRuns`, shared by the repeating triggers (each says what its `startDate` does). */
const boundsShape = {
  endDate: dateValue.optional().describe(`No occurrence after this instant (ISO 8601 or epoch ms). ${DATE_NOTE}`),
  maxRuns: integerIn(1, Number.MAX_SAFE_INTEGER).optional().describe('Stop after this many runs.'),
};

/** A trigger in full form: `interval`, `cron` or `date`, with that kind's fields (YAML `trigger:` and `addJob({ trigger })`). */
export const triggerSchema = z.discriminatedUnion('type', [
  z
    .strictObject({
      type: z.literal('interval'),
      ...unitShape,
      startDate: dateValue.optional().describe(`Phase anchor (ISO 8601 or epoch ms): runs fall at this instant plus whole periods, none before it. Without it runs fall at whole multiples of the period since the Unix epoch (1h on the hour UTC), the first one after the job is first registered. ${DATE_NOTE}`),
      ...boundsShape,
    })
    .superRefine((t, ctx) => {
      checkPeriod(t, ctx);
      checkOrder(t, ctx);
    }),
  z
    .strictObject({
      type: z.literal('cron'),
      expression: cronExpressionValue.describe('5 fields, or 6 with seconds first, or a macro like `@daily`; day-of-month and day-of-week combine with OR.'),
      timezone: timezoneValue.optional().describe('IANA zone; the scheduler\'s `timezone` when absent.'),
      startDate: dateValue.optional().describe(`No occurrence before this instant (ISO 8601 or epoch ms): the first run is the first cron time at or after it. ${DATE_NOTE}`),
      ...boundsShape,
    })
    .superRefine(checkOrder),
  z.strictObject({ type: z.literal('date'), runDate: dateValue.describe(`The single run (ISO 8601 or epoch ms). ${DATE_NOTE}`) }),
], { error: 'expected a trigger type: interval, cron or date' });

const range = (name: keyof typeof OPTION_LIMITS): { min: number; max: number } => OPTION_LIMITS[name] as { min: number; max: number };

/** Policy fields shared by `defaults`, each YAML job and `addJob`, all optional (defaults are applied later). */
export const policyShape = {
  /** Concurrent runs allowed across all processes. @defaultValue `1` */
  maxInstances: integerIn(range('maxInstances').min, range('maxInstances').max).optional().describe('Concurrent runs allowed across all processes. Default 1.'),
  /** Which of several due occurrences run after downtime. @defaultValue `'latest'` */
  coalesce: z.enum(['all', 'earliest', 'latest', 'skip']).optional().describe('Which of several due occurrences run after downtime. Default \'latest\'.'),
  /** An occurrence later than this is missed, not run; `null` = no limit. @defaultValue `60000` */
  misfireGraceTime: duration({ min: 0, ...JOB_DURATION, nullable: true }).optional().describe(`An occurrence later than this is missed, not run; \`null\` = no limit. ${span(0, OPTION_LIMITS.maxDurationMs)}. Default 60000.`),
  /** Most occurrences `coalesce: all` runs in one catch-up. @defaultValue `100` */
  maxCatchUp: integerIn(range('maxCatchUp').min, range('maxCatchUp').max).optional().describe('Most occurrences `coalesce: all` runs in one catch-up. Default 100.'),
  /** Run timeout (aborts the run's signal); `null` = none. @defaultValue `null` */
  timeout: duration({ min: 1, ...JOB_DURATION, nullable: true }).optional().describe(`Run timeout (aborts the run's signal); \`null\` = none. ${span(1, OPTION_LIMITS.maxDurationMs)}. Default null.`),
  /** Retries after a failed or timed-out attempt. @defaultValue `0` */
  retries: integerIn(range('retries').min, range('retries').max).optional().describe('Retries after a failed or timed-out attempt. Default 0.'),
  /** Base delay of the exponential retry backoff. @defaultValue `1000` */
  retryDelay: duration({ min: 0, ...JOB_DURATION }).optional().describe(`Base delay of the exponential retry backoff (capped at 10m). ${span(0, OPTION_LIMITS.maxDurationMs)}. Default 1000.`),
  /** Random delay added to each run, clamped before the next fire time. @defaultValue `0` */
  jitter: duration({ min: 0, ...JOB_DURATION }).optional().describe(`Random delay added to each run, clamped before the next fire time. ${span(0, OPTION_LIMITS.maxDurationMs)}. Default 0.`),
  /** At `maxInstances`: `skip` the occurrence (event `job.skipped`) or `queue` it. @defaultValue `'skip'` */
  overlap: z.enum(['skip', 'queue']).optional().describe('At `maxInstances`: `skip` the occurrence (event `job.skipped`) or `queue` it. Default \'skip\'.'),
  /** Re-run an occurrence whose process died mid-run. @defaultValue `false` */
  recover: z.boolean().optional().describe('Re-run an occurrence whose process died mid-run. Default false.'),
  /** Run records kept per job. @defaultValue `20` */
  historyLimit: integerIn(range('historyLimit').min, range('historyLimit').max).optional().describe('Run records kept per job. Default 20.'),
};

/** The export a `thread`/`process` job calls: a JavaScript identifier. */
export const exportNameValue = z.string().regex(/^[A-Za-z_$][\w$]*$/, 'expected an export name such as default or hashFiles').describe('The export of `module` called with the run context. Default \'default\'.');

/** Environment variables a `process` job declares: the child gets these and no others. */
export const envNamesValue = z.array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an environment variable name such as DATABASE_URL')).max(1000).describe('Environment variables the job\'s child process gets (executor: process); no others are passed.');

/** Job policy overrides (every field optional): `services.scheduler.defaults` and `Scheduler({ defaults })`. */
export const jobPolicySchema = z.strictObject(policyShape);

/** The runner's timing options, shared by `services.scheduler` and `new Scheduler(...)`. */
export const runnerTiming = {
  leaseMs: duration(range('leaseMs')),
  pollMs: duration(range('pollMs')),
  claimWindowMs: duration(range('claimWindowMs')),
  batchSize: integerIn(range('batchSize').min, range('batchSize').max),
};

/** A `{ min, max }` bound as text for option descriptions: `1s to 1d`. */
export function rangeText(name: 'leaseMs' | 'pollMs' | 'claimWindowMs'): string {
  return span(range(name).min, range(name).max);
}

/** The coded error (`XCORE_ERR_CRON_INVALID`, `XCORE_ERR_TIMEZONE_INVALID`) behind a refinement issue, if any. */
export function codedCause(issues: readonly z.core.$ZodIssue[]): XcoreError | undefined {
  for (const issue of issues) {
    const error = (issue as { params?: { error?: unknown } }).params?.error;
    if (error instanceof XcoreError) return error;
    if (issue.code === 'invalid_union') {
      for (const branch of issue.errors) {
        const inner = codedCause(branch);
        if (inner !== undefined) return inner;
      }
    }
  }
  return undefined;
}
