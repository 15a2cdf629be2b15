/**
 * JSON text of a handler's result, with the work bounded by the size cap rather than by the value.
 *
 * @remarks
 * `JSON.stringify` would walk a 100 MB value before its length could be checked, on the caller's
 * path. This walk stops as soon as the text passes the cap (each value visited adds at least one
 * character), so a huge result costs about as much as a result at the cap. It accepts plain JSON
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

class TooLarge extends Error {}
class NotSerializable extends Error {}

const NUL = /\u0000/g;

class Writer {
  private readonly parts: string[] = [];
  private length = 0;
  private readonly ancestors = new Set<object>();

  constructor(
    private readonly maxChars: number,
    private readonly rejectNul: boolean,
  ) {}

  text(): string {
    return this.parts.join('');
  }

  private add(piece: string): void {
    this.length += piece.length;
    if (this.length > this.maxChars) throw new TooLarge();
    this.parts.push(piece);
  }

  private string(value: string): void {
    // A string longer than the cap is too large whatever its escaping; check before copying it.
    if (value.length > this.maxChars) throw new TooLarge();
    if (!value.includes('\u0000')) return this.add(JSON.stringify(value));
    if (this.rejectNul) throw new NotSerializable();
    this.add(JSON.stringify(value.replace(NUL, '\uFFFD')));
  }

  value(value: unknown, depth: number): void {
    switch (typeof value) {
      case 'string':
        return this.string(value);
      case 'number':
        if (!Number.isFinite(value)) throw new NotSerializable();
        return this.add(Object.is(value, -0) ? '0' : String(value));
      case 'boolean':
        return this.add(value ? 'true' : 'false');
      case 'object':
        if (value === null) return this.add('null');
        return this.object(value, depth);
      default:
        throw new NotSerializable();
    }
  }

  private object(value: object, depth: number): void {
    if (depth >= MAX_DEPTH || this.ancestors.has(value)) throw new NotSerializable();
    if (value instanceof Date) {
      if (!Number.isFinite(value.getTime())) throw new NotSerializable();
      return this.string(value.toISOString());
    }
    const isArray = Array.isArray(value);
    const proto: unknown = Object.getPrototypeOf(value);
    if (!isArray && proto !== Object.prototype && proto !== null) throw new NotSerializable();
    this.ancestors.add(value);
    if (isArray) {
      this.add('[');
      for (let i = 0; i < value.length; i++) {
        if (i > 0) this.add(',');
        const item: unknown = value[i];
        if (item === undefined) this.add('null');
        else this.value(item, depth + 1);
      }
      this.add(']');
    } else {
      this.add('{');
      let first = true;
      for (const key of Object.keys(value)) {
        const item: unknown = (value as Record<string, unknown>)[key];
        if (item === undefined) continue;
        if (!first) this.add(',');
        first = false;
        this.string(key);
        this.add(':');
        this.value(item, depth + 1);
      }
      this.add('}');
    }
    this.ancestors.delete(value);
  }
}

/**
 * Renders `value` as JSON text of at most `maxBytes` UTF-8 bytes.
 *
 * @returns `{ ok: true, text }`, or `{ ok: false, reason }` with `too_large` or `not_serializable`
 * (see the module remarks for what is plain JSON data). A getter that throws makes the value
 * `not_serializable`; nothing thrown escapes.
 */
export function boundedJson(value: unknown, maxBytes: number, options: { readonly rejectNul?: boolean } = {}): BoundedJson {
  // UTF-16 code units never outnumber UTF-8 bytes, so the walk can stop at `maxBytes` units.
  const writer = new Writer(maxBytes, options.rejectNul === true);
  try {
    writer.value(value, 0);
  } catch (error) {
    return { ok: false, reason: error instanceof TooLarge ? 'too_large' : 'not_serializable' };
  }
  const text = writer.text();
  if (Buffer.byteLength(text, 'utf8') > maxBytes) return { ok: false, reason: 'too_large' };
  return { ok: true, text };
}
