/**
 * Fuzzing over real HTTP: random methods, paths (stray and malformed percent-escapes, dot segments,
 * reserved prefixes), query strings (repeated and prototype-polluting keys), bodies (JSON, text,
 * invalid UTF-8, over the limit) under every media type and credential. Every answer is below 500
 * and every error answer has the error shape; nothing crashes or rejects unhandled.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { z } from 'zod';
import { errorShape, rawCall, startServer, TOKENS, type TestServer } from '../http.fixtures.js';

const RUNS = 1200;

let host: TestServer;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => void unhandled.push(reason);

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled);
  host = await startServer({ bodyLimit: '4kb', rateLimit: { failures: 1_000_000 } });
  host.server.route({ method: 'GET', path: '/livez', auth: 'public', handler: () => ({ ok: true }) });
  const http = host.server.forPlugin('fuzz');
  const item = z.object({ name: z.string().max(50), tags: z.array(z.string()).max(5).optional() });
  http.route({
    method: 'POST',
    path: '/items/:id',
    params: z.object({ id: z.string().regex(/^[a-z0-9-]{1,20}$/) }),
    query: z.object({ limit: z.coerce.number().int().min(1).max(100).optional() }),
    body: item,
    handler: ({ params, body }) => ({ id: params.id, name: body.name }),
  });
  http.route({ method: 'GET', path: '/items', query: z.strictObject({ q: z.string().max(20).optional(), page: z.coerce.number().int().nonnegative().optional() }), handler: ({ query }) => ({ query }) });
  http.route({ method: 'PUT', path: '/echo', auth: 'public', body: z.unknown(), handler: ({ body }) => ({ body }) });
  http.route({ method: 'DELETE', path: '/items/:id', auth: 'admin', handler: () => undefined });
});

afterAll(async () => {
  process.off('unhandledRejection', onUnhandled);
  await host.close();
});

const SAFE = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$&\'()*+,;=:@';

/** A path segment: text, a (possibly malformed) percent-escape, or a dot segment. */
const segment = fc.oneof(
  fc.string({ unit: fc.constantFrom(...SAFE), maxLength: 12 }),
  fc.constantFrom('%', '%z', '%zz', '%00', '%2F', '%2e%2e', '%E0%A4%A', '%C0%AF', '%FF', '%u0041', '..', '.', '', '__proto__', 'constructor'),
  fc.string({ maxLength: 6 }).map((s) => encodeURIComponent(s)),
);

const randomPath = fc
  .tuple(
    fc.constantFrom('', '/plugins/fuzz/items', '/plugins/fuzz/items/abc', '/plugins/fuzz/echo', '/plugins/fuzz', '/plugins', '/plugins/', '/admin/v1/whoami', '/admin/v1/openapi.json', '/admin/v1', '/admin', '/livez', '//plugins//fuzz'),
    fc.array(segment, { maxLength: 4 }),
    fc.boolean(),
  )
  .map(([prefix, segments, slash]) => `${prefix}${segments.map((s) => `/${s}`).join('')}${slash ? '/' : ''}` || '/');

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;

/** Method and path: mostly a mounted route (with a random parameter), sometimes anything. */
const target = fc.oneof(
  { weight: 3, arbitrary: fc.tuple(fc.constantFrom('POST', 'DELETE'), segment.map((id) => `/plugins/fuzz/items/${id}`)) },
  { weight: 2, arbitrary: fc.constant(['PUT', '/plugins/fuzz/echo'] as const) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('GET', 'HEAD'), fc.constantFrom('/plugins/fuzz/items', '/admin/v1/whoami', '/admin/v1/services', '/livez')) },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...METHODS), randomPath) },
);

/** A query string: keys and values raw (stray `%`, `+`, `=`) or encoded, keys repeated at times. */
const queryPart = fc.oneof(fc.string({ unit: fc.constantFrom(...SAFE, '%', '?', '/'), maxLength: 10 }), fc.string({ maxLength: 10 }).map(encodeURIComponent));
const query = fc.option(
  fc.array(fc.tuple(fc.oneof(queryPart, fc.constantFrom('limit', 'q', 'page', '__proto__', 'constructor')), queryPart), { maxLength: 5 }).map((pairs) => pairs.map(([k, v]) => `${k}=${v}`).join('&')),
  { nil: undefined },
);

const body = fc.oneof(
  fc.constant(undefined),
  fc.jsonValue({ maxDepth: 4 }).map((v) => Buffer.from(JSON.stringify(v) ?? 'null')),
  fc.record({ name: fc.string({ maxLength: 60 }), tags: fc.option(fc.array(fc.string(), { maxLength: 7 }), { nil: undefined }) }).map((v) => Buffer.from(JSON.stringify(v))),
  fc.string({ maxLength: 200 }).map((s) => Buffer.from(s)),
  fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
  fc.integer({ min: 4000, max: 9000 }).map((n) => Buffer.from(JSON.stringify({ name: 'x'.repeat(n) }))),
);

const printable = fc.string({ unit: fc.constantFrom(...SAFE, ' ', '/', '"', ','), maxLength: 40 });
const contentType = fc.option(
  fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom('application/json', 'application/json; charset=utf-8', 'application/problem+json') },
    { weight: 1, arbitrary: fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x') },
    { weight: 1, arbitrary: printable },
  ),
  { nil: undefined, freq: 6 },
);
const authorization = fc.option(
  fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(`Bearer ${TOKENS.operate}`, `bearer ${TOKENS.admin}`) },
    { weight: 1, arbitrary: fc.constantFrom(`Bearer ${TOKENS.read}`, 'Bearer', 'Bearer ', 'Basic dXNlcjpwYXNz', 'Bearer a.b.c', 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.') },
    { weight: 1, arbitrary: printable.map((s) => `Bearer ${s}`) },
    { weight: 1, arbitrary: printable },
  ),
  { nil: undefined, freq: 6 },
);

describe('fuzzed requests', () => {
  it(`answer below 500 with the error shape on every error (${RUNS} cases), and the server keeps answering`, async () => {
    await fc.assert(
      fc.asyncProperty(target, query, body, contentType, authorization, async ([method, p], q, b, type, auth) => {
        const headers: Record<string, string> = {};
        if (type !== undefined) headers['content-type'] = type;
        if (auth !== undefined) headers.authorization = auth;
        const sent = method === 'HEAD' ? undefined : b;
        if (sent !== undefined) headers['content-length'] = String(sent.length);
        const answer = await rawCall(host.port, method, q === undefined ? p : `${p}?${q}`, headers, sent);
        expect(answer.status, `${method} ${p}?${q ?? ''}`).toBeGreaterThanOrEqual(200);
        expect(answer.status, `${method} ${p}?${q ?? ''}: ${answer.text}`).toBeLessThan(500);
        expect(answer.headers['x-request-id']).toBeTruthy();
        if (answer.status >= 400 && method !== 'HEAD') {
          const parsed = errorShape.parse(JSON.parse(answer.text));
          expect(parsed.error.status).toBe(answer.status);
        }
      }),
      { numRuns: RUNS },
    );
    expect(unhandled).toEqual([]);
    const live = await rawCall(host.port, 'GET', '/livez');
    expect(live.status).toBe(200);
    expect(host.lines.filter((l) => (l.level as number) >= 50)).toEqual([]);
  }, 120_000);
});
