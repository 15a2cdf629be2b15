/**
 * Deep freezing of stored definitions: stores hand the same definition object to every caller,
 * so nothing reachable from it may be changed.
 */
import { isSharedCanonical } from './canonical-json.js';

/**
 * Freezes `value` and everything reachable from it (a frozen parent may hold unfrozen children).
 * Depth-capped instead of tracking visited objects: definitions are JSON, so deep nesting means a
 * cycle, and the cap keeps the walk allocation-free.
 */
export function deepFreeze<T>(value: T, depth = 0): T {
  // Interned parts (a shared trigger or policy) were found deeply frozen already: no walk.
  if (typeof value === 'object' && value !== null && depth < 32 && !isSharedCanonical(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key], depth + 1);
  }
  return value;
}
