/**
 * Sizes in config: a number of bytes or text such as `"512kb"`, `"1mb"`, `"2MiB"`.
 */
import { z } from 'zod';

const UNIT_BYTES: Readonly<Record<string, number>> = { b: 1, kb: 1024, kib: 1024, mb: 1024 ** 2, mib: 1024 ** 2, gb: 1024 ** 3, gib: 1024 ** 3 };
const SIZE = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|kib|mb|mib|gb|gib)?\s*$/i;

/** What a size looks like, as said in config error messages. */
export const BYTE_SIZE_EXPECTED = 'a size like 1048576, "512kb" or "1mb"';

/** Parses `"512kb"`-style text to bytes (units are powers of 1024); `undefined` when it is not a size. */
export function parseByteSize(text: string): number | undefined {
  const match = SIZE.exec(text);
  if (match === null) return undefined;
  const bytes = Number(match[1]) * (UNIT_BYTES[(match[2] ?? 'b').toLowerCase()] ?? 1);
  return Number.isFinite(bytes) ? Math.floor(bytes) : undefined;
}

/**
 * A zod schema for a size in config between `min` and `max` bytes, output in bytes.
 *
 * @example
 * ```ts
 * z.object({ bodyLimit: byteSize(1, 2 ** 30).default(1_048_576) }) // accepts 1048576, "1mb", "512kb"
 * ```
 */
export function byteSize(min: number, max: number): z.ZodType<number, number | string> {
  return z
    .union([z.number(), z.string().meta({ pattern: SIZE.source })], { error: `expected ${BYTE_SIZE_EXPECTED}` })
    .transform((value, ctx) => {
      const bytes = typeof value === 'number' ? value : parseByteSize(value);
      const expected = `${BYTE_SIZE_EXPECTED}, between ${min} and ${max} bytes`;
      if (bytes === undefined || !Number.isInteger(bytes) || bytes < min || bytes > max) {
        ctx.addIssue({ code: 'custom', message: `expected ${expected}`, params: { expected }, input: value });
        return z.NEVER;
      }
      return bytes;
    }) as unknown as z.ZodType<number, number | string>;
}
