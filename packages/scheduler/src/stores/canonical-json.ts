/**
 * Canonical JSON: one exact string per JSON value, whatever the key order it was built with.
 *
 * @remarks
 * Pure, no I/O. Used by {@link scheduleHash} so two processes registering the same job produce
 * the same fingerprint even when they build the definition's objects in a different key order.
 */
import { ScheduleNotSerializableError } from '../errors.js';

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
  return write(value, jobId, path, []);
}

function write(value: unknown, jobId: string, path: string, stack: object[]): string {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new ScheduleNotSerializableError(jobId, path, String(value));
      return JSON.stringify(value);
    case 'object': {
      if (value === null) return 'null';
      if (stack.includes(value)) throw new ScheduleNotSerializableError(jobId, path, 'a circular reference');
      stack.push(value);
      try {
        if (Array.isArray(value)) {
          const parts = value.map((item: unknown, i) => {
            if (item === undefined) throw new ScheduleNotSerializableError(jobId, `${path}[${i}]`, 'undefined');
            return write(item, jobId, `${path}[${i}]`, stack);
          });
          return `[${parts.join(',')}]`;
        }
        const proto: unknown = Object.getPrototypeOf(value);
        if (proto !== Object.prototype && proto !== null) {
          const name = (value as { constructor?: { name?: string } }).constructor?.name ?? 'unknown';
          throw new ScheduleNotSerializableError(jobId, path, `an instance of ${name}`);
        }
        const record = value as Record<string, unknown>;
        const parts: string[] = [];
        for (const key of Object.keys(record).sort()) {
          const item = record[key];
          if (item === undefined) continue;
          parts.push(`${JSON.stringify(key)}:${write(item, jobId, `${path}.${key}`, stack)}`);
        }
        return `{${parts.join(',')}}`;
      } finally {
        stack.pop();
      }
    }
    default:
      throw new ScheduleNotSerializableError(jobId, path, describe(value));
  }
}

function describe(value: unknown): string {
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'bigint') return `a bigint (${String(value)}n)`;
  if (typeof value === 'symbol') return 'a symbol';
  return 'undefined';
}
