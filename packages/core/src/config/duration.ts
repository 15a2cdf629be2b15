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

/**
 * A zod schema for a non-negative duration in config, output in milliseconds.
 *
 * @example
 * ```ts
 * z.object({ timeout: duration().default(10_000) }) // accepts 10000, "10s", "1m30s"
 * ```
 */
export function duration(): z.ZodType<number, number | string> {
  return z.union([z.number().nonnegative(), z.string().meta({ pattern: DURATION_PATTERN })], { error: `expected ${DURATION_EXPECTED}` }).transform((value, ctx) => {
    if (typeof value === 'number') return value;
    const ms = parseDuration(value);
    if (ms === undefined) {
      ctx.addIssue({ code: 'custom', message: `expected ${DURATION_EXPECTED}, got "${value}"`, params: { expected: DURATION_EXPECTED }, input: value });
      return z.NEVER;
    }
    return ms;
  }) as unknown as z.ZodType<number, number | string>;
}
