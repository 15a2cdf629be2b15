/**
 * Turning a request into a route's input: the query string as an object, the JSON body within the
 * size limit, and each part validated by the route's zod schema.
 */
import type { z } from 'zod';
import { HttpBodyInvalidError, HttpBodyTooLargeError, HttpUnsupportedMediaTypeError, HttpValidationError, type RequestIssue } from '../errors.js';

/** The query string as an object: one string per key, a list when the key repeats. */
export function queryObject(url: URL): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = Object.create(null) as Record<string, string | string[]>;
  for (const [key, value] of url.searchParams) {
    const seen = out[key];
    out[key] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value];
  }
  return out;
}

/** True when the request says it carries a body (a length above 0, or chunked). */
function hasBody(request: Request): boolean {
  const length = request.headers.get('content-length');
  if (length !== null) return length.trim() !== '0';
  return request.headers.has('transfer-encoding');
}

/** True for `application/json` and `application/<something>+json`, any parameters. */
function isJson(contentType: string): boolean {
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  return type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'));
}

/**
 * Reads and parses a JSON body of at most `limit` bytes; `undefined` when the request has none.
 *
 * @remarks
 * The body is read as a stream and abandoned as soon as it passes `limit` (413), whatever
 * `Content-Length` says. A body with another media type is 415; bytes that are not UTF-8 or
 * text that is not JSON are 400.
 */
export async function readJsonBody(request: Request, limit: number, route: string): Promise<unknown> {
  if (!hasBody(request) || request.body === null) return undefined;
  const contentType = request.headers.get('content-type') ?? '';
  if (!isJson(contentType)) throw new HttpUnsupportedMediaTypeError(route, contentType === '' ? '(none)' : contentType);
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      throw new HttpBodyTooLargeError(limit);
    }
    chunks.push(value);
  }
  if (size === 0) return undefined;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks, size));
  } catch {
    throw new HttpBodyInvalidError(route, 'the bytes are not UTF-8');
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new HttpBodyInvalidError(route, (error as Error).message);
  }
}

/**
 * Validates each part of the input with its schema (absent schema: the value as is) and throws
 * one `XCORE_ERR_HTTP_VALIDATION` listing every invalid field of every part.
 */
export async function validateInput(
  route: string,
  parts: ReadonlyArray<{ readonly in: RequestIssue['in']; readonly schema: z.ZodType | undefined; readonly value: unknown }>,
): Promise<unknown[]> {
  const issues: RequestIssue[] = [];
  const values: unknown[] = [];
  for (const part of parts) {
    if (part.schema === undefined) {
      values.push(part.value);
      continue;
    }
    const result = await part.schema.safeParseAsync(part.value);
    if (result.success) values.push(result.data);
    else for (const issue of result.error.issues) issues.push({ in: part.in, path: issue.path.map(String).join('.'), message: issue.message });
  }
  if (issues.length > 0) throw new HttpValidationError(route, issues);
  return values;
}
