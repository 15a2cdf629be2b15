/**
 * JSON text of a handler's result, with the work bounded by the size cap rather than by the value.
 *
 * @remarks
 * `JSON.stringify` would walk a 100 MB value before its length could be checked, on the caller's
 * path. A first walk checks the value's shape and adds up a lower bound of its JSON length,
 * stopping as soon as that passes the cap (each value visited adds at least one character), so a
 * huge result costs about as much as one at the cap; only a value within the bound is then
 * stringified natively, and its exact UTF-8 length decides. It accepts plain JSON
 * data only: `null`, booleans, finite numbers, strings, arrays, objects whose prototype is
 * `Object.prototype` or `null`, and `Date` (as its ISO text, like `JSON.stringify`). A property
 * whose value is `undefined` is left out and an `undefined` array item becomes `null`, as
 * `JSON.stringify` does. PostgreSQL `jsonb` cannot hold a NUL character: by default a NUL in a
 * string becomes U+FFFD; with `rejectNul` the value is `not_serializable`.
 */
import type { RunLogResultOmitted } from './run-log-record.js';

/** What {@link boundedJson} produced: the JSON text, or why there is none. */
export type BoundedJson = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly reason: RunLogResultOmitted };

/** Deepest nesting accepted; deeper values are `not_serializable` (and would strain a recursive reader). */
const MAX_DEPTH = 64;

/** Why a walk stopped early. */
type Stop = 'too_large' | 'not_serializable';

/** What {@link check} learnt about a value it accepted. */
interface Walk {
  /** A lower bound of the JSON text's length so far (each string counts its length + 2). */
  chars: number;
  /** An upper bound of its UTF-8 bytes (a string unit is at most 6 bytes, as a `\uXXXX` escape; a number at most 24). */
  upper: number;
  /** A string holds a NUL character. */
  nul: boolean;
  readonly ancestors: object[];
}

/**
 * Checks that `value` is plain JSON data and adds a lower bound of its JSON length to `walk`,
 * stopping as soon as the bound passes `max`. Allocates nothing for primitives.
 */
function check(value: unknown, depth: number, walk: Walk, max: number): Stop | undefined {
  switch (typeof value) {
    case 'string':
      walk.chars += value.length + 2;
      walk.upper += value.length * 6 + 2;
      if (walk.chars > max) return 'too_large';
      if (value.includes('\u0000')) walk.nul = true;
      return undefined;
    case 'number':
      walk.chars += 1;
      walk.upper += 24;
      return Number.isFinite(value) ? undefined : 'not_serializable';
    case 'boolean':
      walk.chars += 4;
      walk.upper += 5;
      return undefined;
    case 'object':
      break;
    default:
      return 'not_serializable';
  }
  if (value === null) {
    walk.chars += 4;
    walk.upper += 4;
    return undefined;
  }
  if (depth >= MAX_DEPTH || walk.ancestors.includes(value)) return 'not_serializable';
  // A date is its ISO text, 24 characters (years 0..9999), as JSON.stringify writes it.
  if (value instanceof Date) return Number.isFinite(value.getTime()) ? check('2026-01-01T00:00:00.000Z', depth, walk, max) : 'not_serializable';
  walk.chars += 2;
  walk.upper += 2;
  const isArray = Array.isArray(value);
  if (!isArray) {
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return 'not_serializable';
  }
  walk.ancestors.push(value);
  let stop: Stop | undefined;
  if (isArray) {
    for (let i = 0; i < value.length && stop === undefined; i++) {
      walk.chars += 1;
      walk.upper += 5;
      const item: unknown = value[i];
      if (item === undefined) walk.chars += 4;
      else stop = check(item, depth + 1, walk, max);
    }
  } else {
    for (const key of Object.keys(value)) {
      const item: unknown = (value as Record<string, unknown>)[key];
      if (item === undefined) continue;
      stop = check(key, depth + 1, walk, max) ?? check(item, depth + 1, walk, max);
      walk.chars += 2;
      walk.upper += 2;
      if (stop !== undefined) break;
    }
  }
  walk.ancestors.pop();
  return stop ?? (walk.chars > max ? 'too_large' : undefined);
}

/** `\u0000` escapes in JSON text (not a literal backslash followed by `u0000`, which is `\\u0000`). */
const NUL_ESCAPE = /(?<!\\)((?:\\\\)*)\\u0000/g;

function walkValue(value: unknown, walk: Walk, maxBytes: number, rejectNul: boolean): Stop | undefined {
  let stop: Stop | undefined;
  try {
    stop = check(value, 0, walk, maxBytes);
  } catch {
    stop = 'not_serializable'; // a getter or proxy trap that throws
  }
  return stop ?? (walk.nul && rejectNul ? 'not_serializable' : undefined);
}

/** Longest string (value or key) and most keys {@link quickJson} takes. */
const QUICK_STRING = 256;
const QUICK_KEYS = 16;

/** A JSON primitive that needs no walk: a short string without NUL, a finite number, a boolean, `null`. */
function quickPrimitive(v: unknown): boolean {
  switch (typeof v) {
    case 'string': return v.length <= QUICK_STRING && !v.includes('\u0000');
    case 'number': return Number.isFinite(v);
    case 'boolean': return true;
    case 'object': return v === null;
    default: return false;
  }
}

/**
 * The common small result without the walk: a {@link quickPrimitive}, or a plain object of at most
 * {@link QUICK_KEYS} such values (`undefined` ones left out, as JSON does) under short keys
 * without NUL. Its `JSON.stringify` is the text {@link boundedJson} would make (the walk would
 * accept it, and at most 3 UTF-8 bytes per unit keeps it within `maxBytes`). @returns `undefined`
 * for anything else (nested, long, odd, a getter that throws): the walk decides.
 */
function quickJson(value: unknown, maxBytes: number): string | undefined {
  try {
    if (typeof value === 'object' && value !== null) {
      if (Array.isArray(value)) return undefined;
      const proto: unknown = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) return undefined;
      let keys = 0;
      for (const key in value) {
        if (++keys > QUICK_KEYS || key.length > QUICK_STRING || key.includes('\u0000')) return undefined;
        const item: unknown = (value as Record<string, unknown>)[key];
        if (item !== undefined && !quickPrimitive(item)) return undefined;
      }
    } else if (!quickPrimitive(value)) {
      return undefined;
    }
    const text = JSON.stringify(value);
    return text.length * 3 <= maxBytes ? text : undefined;
  } catch {
    return undefined;
  }
}

/** What {@link resultSnapshot} answers for a value it does not take: {@link boundedJson} decides now. */
export const NOT_SNAPPED: unique symbol = Symbol('not snapped');

/** Upper bound of a quick primitive's UTF-8 JSON bytes: a string unit is at most 6 (`\uXXXX`), a number 24. */
function quickBytes(v: unknown): number {
  return typeof v === 'string' ? v.length * 6 + 2 : 24;
}

/**
 * A copy of a small result that {@link boundedJson} would accept whole, taken without making its
 * JSON text: the value itself for a {@link quickPrimitive} (immutable), or a shallow copy of a
 * plain object of at most {@link QUICK_KEYS} such values (`undefined` ones left out) under short
 * keys. `JSON.stringify` of the snapshot, whenever it is made, is the text `boundedJson(value)`
 * makes now, and an upper bound of its UTF-8 length is within `maxBytes`.
 *
 * @remarks
 * For the run log's ring: the JSON is made when the run's batch is sent, after a burst of
 * finishing runs rather than during it (on the run path a number costs ~110 ns more to stringify
 * than to keep, a small object ~200 ns more). @returns {@link NOT_SNAPPED} for anything else.
 */
export function resultSnapshot(value: unknown, maxBytes: number): unknown {
  try {
    if (typeof value !== 'object' || value === null) return quickPrimitive(value) && quickBytes(value) <= maxBytes ? value : NOT_SNAPPED;
    if (Array.isArray(value)) return NOT_SNAPPED;
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return NOT_SNAPPED;
    const copy: Record<string, unknown> = {};
    let keys = 0;
    let bytes = 2;
    for (const key in value) {
      // `__proto__` set on a fresh object would change its prototype, not add the key.
      if (++keys > QUICK_KEYS || key.length > QUICK_STRING || key === '__proto__' || key.includes('\u0000')) return NOT_SNAPPED;
      const item: unknown = (value as Record<string, unknown>)[key];
      if (item === undefined) continue;
      if (!quickPrimitive(item)) return NOT_SNAPPED;
      copy[key] = item;
      bytes += key.length * 6 + 3 + quickBytes(item) + 1;
    }
    return bytes <= maxBytes ? copy : NOT_SNAPPED;
  } catch {
    return NOT_SNAPPED;
  }
}

/**
 * Whether {@link boundedJson} would accept `value`, without making its text when the walk alone
 * proves it fits (the common small result): what a sink's `write` checks.
 */
export function jsonFits(value: unknown, maxBytes: number, options: { readonly rejectNul?: boolean } = {}): BoundedJson | { readonly ok: true } {
  const walk: Walk = { chars: 0, upper: 0, nul: false, ancestors: [] };
  const stop = walkValue(value, walk, maxBytes, options.rejectNul === true);
  if (stop !== undefined) return { ok: false, reason: stop };
  return walk.upper <= maxBytes ? { ok: true } : boundedJson(value, maxBytes, options);
}

/**
 * Renders `value` as JSON text of at most `maxBytes` UTF-8 bytes.
 *
 * @returns `{ ok: true, text }`, or `{ ok: false, reason }` with `too_large` or `not_serializable`
 * (see the module remarks for what is plain JSON data). A getter that throws makes the value
 * `not_serializable`; nothing thrown escapes.
 */
export function boundedJson(value: unknown, maxBytes: number, options: { readonly rejectNul?: boolean } = {}): BoundedJson {
  const quick = quickJson(value, maxBytes);
  if (quick !== undefined) return { ok: true, text: quick };
  const walk: Walk = { chars: 0, upper: 0, nul: false, ancestors: [] };
  const stop = walkValue(value, walk, maxBytes, options.rejectNul === true);
  if (stop !== undefined) return { ok: false, reason: stop };
  // The walk bounded the value (at most ~maxBytes characters of strings and nodes), so the native
  // stringify below is bounded too; its exact length decides.
  let text: string;
  try {
    text = JSON.stringify(value);
  } catch {
    return { ok: false, reason: 'not_serializable' };
  }
  if (walk.nul) text = text.replace(NUL_ESCAPE, '$1\\uFFFD');
  // UTF-8 needs at most 3 bytes per UTF-16 unit: short texts need no count.
  if (text.length > maxBytes || (text.length * 3 > maxBytes && Buffer.byteLength(text, 'utf8') > maxBytes)) return { ok: false, reason: 'too_large' };
  return { ok: true, text };
}
