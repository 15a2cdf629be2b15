/**
 * Canonical JSON: one exact string per JSON value, whatever the key order it was built with.
 *
 * @remarks
 * Pure, no I/O. Used by {@link scheduleHash} so two processes registering the same job produce
 * the same fingerprint even when they build the definition's objects in a different key order.
 */
import { ScheduleNotSerializableError } from '../errors.js';

/**
 * Canonical JSON of deeply frozen objects marked shared with {@link shareCanonical} (they cannot
 * change, so it is computed once): interned policies and triggers then cost one lookup per
 * registration instead of a serialisation. `null` until first computed. Objects not marked are
 * never cached: a per-job object's text would stay alive with it (hundreds of bytes per job).
 */
const frozenCache = new WeakMap<object, string | null>();

/**
 * Marks an object shared by many definitions (an interned policy or trigger) so its canonical
 * JSON is computed once and remembered while the object lives; returns it.
 *
 * @remarks
 * Only deeply frozen objects are remembered (checked when first written); others are written
 * every time as before.
 *
 * @example
 * ```ts
 * const policy = shareCanonical(Object.freeze({ ... }));
 * ```
 */
export function shareCanonical<T extends object>(value: T): T {
  if (!frozenCache.has(value)) frozenCache.set(value, null);
  return value;
}

/**
 * Whether `value` is marked with {@link shareCanonical}, was found deeply frozen and its canonical
 * JSON is remembered: its text can never change. `false` until a {@link canonicalJson} has
 * written it once.
 *
 * @example
 * ```ts
 * const shared = shareCanonical(Object.freeze({ a: 1 }));
 * isSharedCanonical(shared); // false
 * canonicalJson(shared, 'job');
 * isSharedCanonical(shared); // true
 * ```
 */
export function isSharedCanonical(value: object): boolean {
  return typeof frozenCache.get(value) === 'string';
}

/**
 * Serialises `value` as JSON with object keys sorted (UTF-16 code unit order) and no whitespace.
 *
 * @remarks
 * Object properties whose value is `undefined` are omitted, as `JSON.stringify` does, so an
 * optional field left out and one set to `undefined` hash the same. Anything JSON cannot
 * represent exactly (a function, symbol, bigint, `NaN`, `Infinity`, `undefined` inside an array,
 * a cycle, a class instance other than a plain object or array) throws
 * {@link ScheduleNotSerializableError} naming the key path, instead of being silently changed.
 *
 * @param value - the value to serialise.
 * @param jobId - the schedule id, used in error messages.
 * @param path - key path of `value`, used in error messages.
 * @throws {@link ScheduleNotSerializableError} when `value` is not plain JSON.
 *
 * @example
 * ```ts
 * canonicalJson({ b: 1, a: [true, null] }, 'job'); // '{"a":[true,null],"b":1}'
 * ```
 */
export function canonicalJson(value: unknown, jobId: string, path = '$'): string {
  return write(value, { jobId, segments: [path], stack: [], lastDeepFrozen: true });
}

/** Walk state; module-level functions instead of closures keep a call allocation-light. */
interface Walk {
  readonly jobId: string;
  /** Key path segments of the value being written, joined only for an error. */
  readonly segments: string[];
  /** Objects on the current path, for cycle detection. */
  readonly stack: object[];
  /** Whether the value written last was a primitive or a deeply frozen object. */
  lastDeepFrozen: boolean;
}

function fail(walk: Walk, found: string): never {
  throw new ScheduleNotSerializableError(walk.jobId, walk.segments.join(''), found);
}

function write(v: unknown, walk: Walk): string {
  switch (typeof v) {
    case 'string':
      walk.lastDeepFrozen = true;
      return JSON.stringify(v);
    case 'boolean':
      walk.lastDeepFrozen = true;
      return v ? 'true' : 'false';
    case 'number':
      walk.lastDeepFrozen = true;
      return Number.isFinite(v) ? String(v) : fail(walk, String(v));
    case 'object':
      return v === null ? ((walk.lastDeepFrozen = true), 'null') : writeObject(v, walk);
    default:
      return fail(walk, describe(v));
  }
}

function writeObject(v: object, walk: Walk): string {
  const cached = frozenCache.get(v);
  if (typeof cached === 'string') {
    walk.lastDeepFrozen = true;
    return cached;
  }
  const { segments, stack } = walk;
  if (stack.includes(v)) fail(walk, 'a circular reference');
  stack.push(v);
  let deep = Object.isFrozen(v);
  let out: string;
  if (Array.isArray(v)) {
    out = '[';
    for (let i = 0; i < v.length; i++) {
      segments.push(`[${i}]`);
      const item: unknown = v[i];
      if (item === undefined) fail(walk, 'undefined');
      out += (i === 0 ? '' : ',') + write(item, walk);
      deep &&= walk.lastDeepFrozen;
      segments.pop();
    }
    out += ']';
  } else {
    const proto: unknown = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null) {
      fail(walk, `an instance of ${(v as { constructor?: { name?: string } }).constructor?.name ?? 'unknown'}`);
    }
    const record = v as Record<string, unknown>;
    const keys = Object.keys(record).sort();
    out = '{';
    let first = true;
    for (const key of keys) {
      const item = record[key];
      if (item === undefined) continue;
      segments.push(`.${key}`);
      out += `${first ? '' : ','}${JSON.stringify(key)}:${write(item, walk)}`;
      deep &&= walk.lastDeepFrozen;
      segments.pop();
      first = false;
    }
    out += '}';
  }
  stack.pop();
  if (deep && cached === null) frozenCache.set(v, out);
  walk.lastDeepFrozen = deep;
  return out;
}

function describe(value: unknown): string {
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'bigint') return `a bigint (${String(value)}n)`;
  if (typeof value === 'symbol') return 'a symbol';
  return 'undefined';
}
