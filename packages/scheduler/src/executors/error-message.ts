/**
 * Text and log lines for whatever a job throws.
 *
 * @remarks
 * JavaScript can throw any value: an object with no prototype, a cycle, a getter or `toString`
 * that throws, a revoked `Proxy` (even `instanceof` throws on it), a symbol. Run records keep the
 * error as text and the run path logs it; neither may throw, or the run is never recorded, its
 * in-flight count never drops and `stop()` never resolves. Everything here is total: it returns
 * for every input and calls no user code outside a `try`.
 */
import { types } from 'node:util';
import type { Logger } from 'pino';

/** How a message names one attempt of a run: `Job "<id>" attempt <n>`. */
export function attemptLabel(jobId: string, attempt: number): string {
  return `Job "${jobId}" attempt ${attempt}`;
}

/**
 * Longest error text kept in a run record: a job that throws a megabyte of text would otherwise
 * keep a megabyte per history entry (20 per job by default) in the store.
 */
export const MAX_ERROR_TEXT = 4_096;

function clip(text: string): string {
  if (text.length <= MAX_ERROR_TEXT) return text;
  return `${text.slice(0, MAX_ERROR_TEXT)}... (${text.length - MAX_ERROR_TEXT} more characters)`;
}

function isError(value: object): boolean {
  try {
    return value instanceof Error;
  } catch {
    return false; // a revoked Proxy throws even here
  }
}

/** `error.message` (or its name when the message is empty) of a real `Error`. */
function messageOfError(error: Error): string {
  let name = 'Error';
  try {
    const ownName: unknown = error.name;
    if (typeof ownName === 'string' && ownName !== '') name = ownName;
    const message: unknown = error.message;
    if (typeof message === 'string') return message === '' ? name : message;
    return `${name} with a ${message === null ? 'null' : typeof message} message`;
  } catch {
    return `${name} whose message could not be read`;
  }
}

function viaJson(value: unknown): string | undefined {
  try {
    const text: unknown = JSON.stringify(value);
    return typeof text === 'string' ? text : undefined;
  } catch {
    return undefined;
  }
}

function viaString(value: unknown): string | undefined {
  try {
    const text: unknown = String(value);
    return typeof text === 'string' ? text : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A readable one-line text for any thrown value; never throws.
 *
 * @remarks
 * An `Error` gives its message; a string itself; other values their JSON, else `String(value)`,
 * else a description of what was thrown (`a thrown object that cannot be shown as text`). Texts
 * past {@link MAX_ERROR_TEXT} characters are cut, saying how much was left out.
 *
 * @example
 * ```ts
 * const o = Object.create(null); o.self = o;
 * errorMessage(o); // 'a thrown object that cannot be shown as text (no prototype or a cycle, ...)'
 * ```
 */
export function errorMessage(error: unknown): string {
  switch (typeof error) {
    case 'string':
      return clip(error === '' ? 'an empty string was thrown' : error);
    case 'undefined':
      return 'undefined was thrown';
    case 'symbol':
    case 'bigint':
    case 'number':
    case 'boolean':
      return clip(viaString(error) ?? `a thrown ${typeof error}`);
    default:
      break;
  }
  if (error === null) return 'null was thrown';
  if (isError(error as object)) return clip(messageOfError(error as Error));
  const text = viaJson(error) ?? viaString(error);
  if (text !== undefined && text !== '') return clip(text);
  if (types.isProxy(error)) return 'a thrown Proxy that cannot be read (revoked, or its traps throw)';
  return `a thrown ${typeof error} that cannot be shown as text (no prototype or a cycle, or its toString, toJSON or a getter threw)`;
}

/**
 * Logs `fields` with `err` at `level`, falling back to `err` as text when the logger cannot
 * serialise the value (pino's error serialiser reads `message` and `stack`, which may throw).
 * Never throws.
 */
export function logError(logger: Logger, level: 'warn' | 'error', fields: Readonly<Record<string, unknown>>, err: unknown, message: string): void {
  try {
    logger[level]({ ...fields, err }, message);
    return;
  } catch {
    // The value defeats the logger's serialisers: log its text instead.
  }
  try {
    logger[level]({ ...fields, err: { message: errorMessage(err) } }, message);
  } catch {
    // The logger itself fails: nothing left to report through.
  }
}
