/**
 * The one JSON shape every error answer has, and the HTTP status of any error.
 */
import { isXcoreError } from '@xcore/core';
import type { HttpAnswer, RequestIssue } from '../errors.js';

/**
 * The body of every error answer.
 *
 * @example
 * ```json
 * { "error": { "status": 403, "code": "XCORE_ERR_HTTP_FORBIDDEN", "name": "HttpForbiddenError",
 *   "message": "token \"ci\" may not call ...", "requestId": "5b0c..." } }
 * ```
 */
export interface ErrorBody {
  readonly error: {
    /** The HTTP status, repeated for clients that only keep the body. */
    readonly status: number;
    /** The coded error's stable code, e.g. `XCORE_ERR_HTTP_VALIDATION`. */
    readonly code: string;
    /** The coded error's class name, e.g. `HttpValidationError`. */
    readonly name: string;
    /** What was wrong and what to do. */
    readonly message: string;
    /** The request id (also in the `x-request-id` header and the server's log lines). */
    readonly requestId: string;
    /** Each invalid field, for `XCORE_ERR_HTTP_VALIDATION`. */
    readonly issues?: readonly RequestIssue[];
  };
}

/** Status for coded errors of other packages, by the end of their code. */
const STATUS_BY_SUFFIX: ReadonlyArray<readonly [RegExp, number]> = [
  [/_(NOT_FOUND|UNKNOWN)$/, 404],
  [/_(CONFLICT|REFUSED|RELOAD_FAILED)$/, 409],
  [/_(INVALID|INVALID_INPUT|NOT_SERIALIZABLE)$/, 400],
  [/_TIMEOUT$/, 504],
  [/_(STOPPED|UNAVAILABLE|NOT_STARTED|CLOSED|PLUGIN_STOPPED)$/, 503],
];

/** True when `error` carries its own HTTP status (the request errors of this package). */
export function isHttpAnswer(error: unknown): error is HttpAnswer & Error & { code: string } {
  if (!isXcoreError(error)) return false;
  const status = (error as Partial<HttpAnswer>).status;
  return typeof status === 'number' && Number.isInteger(status) && status >= 400 && status <= 599;
}

/**
 * The HTTP status an error answers with.
 *
 * @remarks
 * An error with its own `status` (this package's request errors) keeps it. Other coded errors are
 * mapped by their code: `..._NOT_FOUND`/`_UNKNOWN` 404, `_CONFLICT`/`_REFUSED`/`_RELOAD_FAILED` 409, `_INVALID`
 * 400, `_TIMEOUT` 504, `_STOPPED`/`_UNAVAILABLE`/`_NOT_STARTED`/`_CLOSED` 503. Anything else is 500.
 */
export function statusOf(error: unknown): number {
  if (isHttpAnswer(error)) return error.status;
  if (!isXcoreError(error)) return 500;
  return STATUS_BY_SUFFIX.find(([pattern]) => pattern.test(error.code))?.[1] ?? 500;
}

/** Headers of every JSON answer: never cached, tagged with the request id. */
export function jsonHeaders(requestId: string, extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  return { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-request-id': requestId, ...extra };
}

/** A JSON answer with `status` and the standard JSON headers (for handlers that answer another status than their route's). */
export function jsonResponse(value: unknown, status: number, requestId: string, extra: Readonly<Record<string, string>> = {}): Response {
  return new Response(JSON.stringify(value) ?? 'null', { status, headers: jsonHeaders(requestId, extra) });
}

/** The {@link ErrorBody} of a coded error (`status` as answered: its own, or derived from its code). */
export function errorBody(error: Error & { code: string }, requestId: string, status: number = statusOf(error)): ErrorBody {
  const issues = (error as { issues?: unknown }).issues;
  return {
    error: {
      status,
      code: error.code,
      name: error.name,
      message: error.message,
      requestId,
      ...(isHttpAnswer(error) && Array.isArray(issues) ? { issues: issues as RequestIssue[] } : {}),
    },
  };
}

/**
 * The error answer for a coded error: its status, its headers (`WWW-Authenticate`,
 * `Retry-After`) and the {@link ErrorBody}.
 */
export function errorResponse(error: Error & { code: string }, requestId: string): Response {
  const body = errorBody(error, requestId);
  const headers = isHttpAnswer(error) ? error.headers : {};
  return new Response(JSON.stringify(body), { status: body.error.status, headers: jsonHeaders(requestId, headers) });
}
