/**
 * Durations in config: a number of milliseconds or a string such as `"250ms"`, `"30s"`, `"5m"`,
 * `"2h"`, `"1d"`, `"1w"` (and combinations like `"1h30m"`).
 */
import { z } from 'zod';

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/g;
const WHOLE = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d|w))+$/;

/** What a duration looks like, as said in config error messages. */
export const DURATION_EXPECTED = 'a duration like 500, "30s", "5m" or "1h30m"';

/** The duration text shape, as shown to editors through the JSON Schema. */
const DURATION_PATTERN = '^\\s*(\\d+(\\.\\d+)?\\s*(ms|s|m|h|d|w)\\s*)+$';

/** Parses `"1h30m"`-style text to milliseconds; `undefined` when the text is not a duration. */
export function parseDuration(text: string): number | undefined {
  const compact = text.replace(/\s+/g, '');
  if (!WHOLE.test(compact)) return undefined;
  let total = 0;
  for (const [, amount, unit] of compact.matchAll(PART)) total += Number(amount) * (UNIT_MS[unit!] ?? 0);
  return Math.round(total);
}

/** `ms` in the largest unit that holds it whole: `1s`, `1d`, `90s`, `250ms`. */
export function durationText(ms: number): string {
  for (const unit of ['w', 'd', 'h', 'm', 's'] as const) {
    const size = UNIT_MS[unit]!;
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

/** Bounds of a {@link duration}, in milliseconds (both inclusive). */
export interface DurationBounds {
  /** Smallest duration allowed. @defaultValue `0` */
  readonly min?: number;
  /** Largest duration allowed. @defaultValue `Number.MAX_SAFE_INTEGER` */
  readonly max?: number;
  /** Also accept `null` (e.g. "no timeout"); `null` comes out as `null`. @defaultValue `false` */
  readonly nullable?: boolean;
}

/**
 * Milliseconds of a duration given as a number (rounded to whole ms) or text, when it lies within
 * `bounds` (0 to `Number.MAX_SAFE_INTEGER` by default); `undefined` for anything else (NaN,
 * Infinity, text that is no duration or overflows, another type).
 *
 * @example
 * ```ts
 * durationMs('1h30m', { min: 1 }); // 5_400_000
 * durationMs(0, { min: 1 }); // undefined
 * ```
 */
export function durationMs(value: unknown, bounds: Pick<DurationBounds, 'min' | 'max'> = {}): number | undefined {
  const ms = typeof value === 'number' ? Math.round(value) : typeof value === 'string' ? parseDuration(value) : undefined;
  return ms !== undefined && ms >= (bounds.min ?? 0) && ms <= (bounds.max ?? Number.MAX_SAFE_INTEGER) ? ms : undefined;
}

/**
 * What a duration with `bounds` must be, as said in error messages: `a duration from 1s to 1d
 * (milliseconds or text like "30s", "5m", "1h30m")`, or {@link DURATION_EXPECTED} when unbounded.
 */
export function durationExpected(bounds: DurationBounds = {}): string {
  const orNull = bounds.nullable === true ? ', or null for none' : '';
  if (bounds.min === undefined && bounds.max === undefined) return `${DURATION_EXPECTED}${orNull}`;
  const min = durationText(bounds.min ?? 0);
  const range = bounds.max === undefined ? `of at least ${min}` : `from ${min} to ${durationText(bounds.max)}`;
  return `a duration ${range} (milliseconds or text like "30s", "5m", "1h30m")${orNull}`;
}

/**
 * A zod schema for a duration in config, output in whole milliseconds.
 *
 * @remarks
 * A number of milliseconds (rounded to whole ms) or duration text; anything else, or a value
 * outside `bounds`, is one issue saying the allowed range and what was found (NaN, Infinity and
 * text that overflows are refused). Pass `nullable: true` to accept `null`.
 *
 * @example
 * ```ts
 * z.object({ timeout: duration().default(10_000) }) // accepts 10000, "10s", "1m30s"
 * z.object({ leaseMs: duration({ min: 1_000, max: 86_400_000 }) }) // refuses 0 and "2d"
 * ```
 */
export function duration(bounds?: DurationBounds & { readonly nullable?: false }): z.ZodType<number, number | string>;
export function duration(bounds: DurationBounds & { readonly nullable: true }): z.ZodType<number | null, number | string | null>;
export function duration(bounds: DurationBounds = {}): z.ZodType<number | null, number | string | null> {
  const expected = durationExpected(bounds);
  const number = bounds.max === undefined ? { type: 'number', minimum: 0 } : { type: 'number', minimum: 0, maximum: bounds.max };
  const forms: Record<string, unknown>[] = [number, { type: 'string', pattern: DURATION_PATTERN }];
  // z.any() carries the JSON Schema of the accepted forms; the transform checks them, so every
  // wrong value is one issue naming the allowed range (zod's union would report per branch).
  return z
    .any()
    .meta({ anyOf: bounds.nullable === true ? [{ type: 'null' }, ...forms] : forms })
    .transform((value: unknown, ctx) => {
      if (value === null && bounds.nullable === true) return null;
      const ms = durationMs(value, bounds);
      if (ms === undefined) {
        ctx.addIssue({ code: 'custom', message: `expected ${expected}`, params: { expected }, input: value });
        return z.NEVER;
      }
      return ms;
    }) as unknown as z.ZodType<number | null, number | string | null>;
}
