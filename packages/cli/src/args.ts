/**
 * Argument parsing shared by the commands: `node:util`'s `parseArgs` in strict mode, its errors
 * turned into {@link CliUsageError}.
 */
import { parseArgs } from 'node:util';
import { isXcoreError } from '@xcore/core';
import { CliUsageError } from './errors.js';

/** Option specs as `parseArgs` takes them. */
export type OptionSpecs = Record<string, { type: 'string' | 'boolean'; short?: string }>;

/**
 * Parses `args` with `options`, allowing at most `maxPositionals` positionals.
 *
 * @remarks
 * Options named in `flagsWithValue` are yes/no filters: `--x` means `--x=true`, `--no-x` means
 * `--x=false`, and `--x=true|false` is taken as written (declare them as `string`).
 */
export function parse<T extends OptionSpecs>(
  args: readonly string[],
  options: T,
  maxPositionals: number,
  flagsWithValue: readonly string[] = [],
): ReturnType<typeof parseArgs<{ args: string[]; options: T; allowPositionals: true; strict: true }>> {
  const normalised = args.map((arg) => {
    for (const name of flagsWithValue) {
      if (arg === `--${name}`) return `--${name}=true`;
      if (arg === `--no-${name}`) return `--${name}=false`;
    }
    return arg;
  });
  try {
    const result = parseArgs({ args: normalised, options, allowPositionals: true, strict: true });
    if (result.positionals.length > maxPositionals) {
      throw new CliUsageError(`Unexpected argument "${result.positionals[maxPositionals]}".`);
    }
    for (const name of flagsWithValue) {
      const value = (result.values as Record<string, unknown>)[name];
      if (value !== undefined && value !== 'true' && value !== 'false') throw new CliUsageError(`--${name} takes true or false (or write --${name} / --no-${name}), not "${String(value)}".`);
    }
    return result;
  } catch (error) {
    if (isXcoreError(error)) throw error;
    throw new CliUsageError((error as Error).message);
  }
}

/** `value` as an integer between `min` and `max`, or a usage error naming `option`. */
export function integerOption(value: string | undefined, option: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) throw new CliUsageError(`--${option} takes a whole number from ${min} to ${max}, not "${value}".`);
  return Number(value);
}

/** The one positional a command needs, or a usage error saying what is missing. */
export function required(positionals: readonly string[], what: string, usage: string): string {
  const value = positionals[0];
  if (value === undefined || value === '') throw new CliUsageError(`Missing ${what}. Usage: ${usage}`);
  return value;
}

/** `text` parsed as JSON, or `undefined` when it is not JSON. */
export function jsonOption(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
