/**
 * Deep freezing of validated config values.
 */

/**
 * Freezes `value` and everything reachable from it (plain objects and arrays), in place.
 *
 * @remarks
 * Config handed to services and plugins is frozen so one plugin cannot change what another reads.
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  Object.freeze(value);
  for (const key of Reflect.ownKeys(value)) deepFreeze((value as Record<PropertyKey, unknown>)[key]);
  return value;
}
