/**
 * Validating a sub-tree of a loaded config with another schema (a plugin's config, a job).
 */
import type { z } from 'zod';
import { ConfigInvalidError } from '../errors.js';
import { deepFreeze } from './deep-freeze.js';
import { positionIssues } from './position-issues.js';
import type { ConfigPathSegment, LoadedConfig } from './types.js';

/**
 * Validates the value at `path` in `loaded.config` with `schema` and returns the parsed value,
 * deep-frozen.
 *
 * @remarks
 * The value is passed to the schema as is: an absent section is `undefined`, so give the schema a
 * `.prefault({})` (or `.optional()`) when the section may be left out. Issues point at the file,
 * line and full key path, as at load time.
 *
 * @throws {@link ConfigInvalidError} with every issue found.
 *
 * @example
 * ```ts
 * const config = validateSection(loaded, ['plugins', 'config', 'greeter'], greeterSchema.prefault({}));
 * ```
 */
export function validateSection<T extends z.ZodType>(loaded: LoadedConfig, path: readonly ConfigPathSegment[], schema: T): z.output<T> {
  const value = valueAt(loaded.config, path);
  const result = schema.safeParse(value, { reportInput: true });
  if (!result.success) throw new ConfigInvalidError(positionIssues(loaded, path, result.error.issues, schema, value));
  return deepFreeze(result.data);
}

/** The value at `path` inside `root`, or `undefined` when absent. */
export function valueAt(root: unknown, path: readonly ConfigPathSegment[]): unknown {
  let current = root;
  for (const segment of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    if (!Object.prototype.hasOwnProperty.call(current, segment)) return undefined;
    current = (current as Record<string | number, unknown>)[segment];
  }
  return current;
}
