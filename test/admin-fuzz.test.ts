/**
 * Fuzzing the admin API's scheduler, job, plugin and event routes through the real `xcore start`:
 * random methods, paths (encoded and malformed ids, dot segments), query strings (the routes'
 * keys with random values, repeated and prototype keys) and bodies (random JSON, run bodies,
 * triggers, text, bytes that are not UTF-8) under every scope. Every answer is below 500 and
 * every error answer has the error shape; the process keeps running and logs no error.
 */
import { request as httpRequest } from 'node:http';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { errorShape } from '../packages/http/src/http.fixtures.js';
import { ADMIN_TOKENS as T, startAdminApp, writeAdminApp } from './helpers/admin-app.js';
import { removeTempAppsAfterAll } from './helpers/cli-app.js';

const RUNS = 1200;

removeTempAppsAfterAll();

/** Sends a raw request; an event stream is answered once its headers arrive (then closed). */
function send(port: number, method: string, path: string, headers: Record<string, string>, body: Buffer | undefined): Promise<{ status: number; text: string; type: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers, timeout: 60_000 }, (res) => {
      const type = String(res.headers['content-type'] ?? '');
      if (type.startsWith('text/event-stream')) {
        resolve({ status: res.statusCode ?? 0, text: '', type });
        res.destroy();
        return;
      }
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), type }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} got no answer within 60 s`)));
    req.on('error', reject);
    req.end(body);
  });
}

const SAFE = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$&\'()*+,;=:@';
const id = fc.oneof(
  fc.constantFrom('billing%3Async', 'billing:charge', 'billing%3Acleanup', 'nightly', 'reports%3Aweekly', 'billing%3Abulk-0001', 'ghost', 'billing', 'dash', 'reports'),
  fc.string({ unit: fc.constantFrom(...SAFE), maxLength: 16 }),
  fc.constantFrom('%', '%zz', '%00', '%2F', '%2e%2e', '..', '.', '%E0%A4%A', '%FF', '__proto__', 'constructor', '%3A'),
  fc.string({ maxLength: 10 }).map((s) => encodeURIComponent(s)),
);
const path = fc.oneof(
  id.map((x) => `/admin/v1/jobs/${x}`),
  fc.tuple(id, fc.constantFrom('run', 'pause', 'resume', 'trigger', 'history', 'nope', '')).map(([x, tail]) => `/admin/v1/jobs/${x}/${tail}`),
  id.map((x) => `/admin/v1/plugins/${x}`),
  id.map((x) => `/admin/v1/plugins/${x}/reload`),
  id.map((x) => `/admin/v1/runs/${x}`),
  id.map((x) => `/scheduler/run/${x}`),
  fc.constantFrom('/admin/v1/jobs', '/admin/v1/jobs/', '/admin/v1/scheduler', '/admin/v1/plugins', '/admin/v1/events', '/admin/v1/openapi.json', '/scheduler/run', '/admin/v1//jobs'),
);
const value = fc.oneof(
  fc.constantFrom('true', 'false', '0', '1', '-1', '50', '500', '501', '1e3', 'NaN', '', 'paused', 'running', 'scheduled', 'done', 'billing', 'job.*', 'job.paused,plugin.*', 'eyJ2IjoxfQ', '%', '%zz'),
  fc.string({ unit: fc.constantFrom(...SAFE, '%', '/', '?'), maxLength: 12 }),
  fc.string({ maxLength: 12 }).map(encodeURIComponent),
);
/** Plausible values per query key, so requests get past validation into the handlers. */
const PLAUSIBLE: Record<string, fc.Arbitrary<string>> = {
  limit: fc.oneof(fc.integer({ min: 0, max: 600 }).map(String), value),
  cursor: fc.oneof(
    fc.base64String({ maxLength: 40 }).map((b) => b.replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_')),
    fc.jsonValue({ maxDepth: 2 }).map((v) => Buffer.from(JSON.stringify(v) ?? '').toString('base64url')),
    fc.record({ v: fc.constantFrom(1, 2), t: fc.constantFrom('jobs', 'runs'), a: fc.jsonValue({ maxDepth: 1 }), o: fc.jsonValue({ maxDepth: 1 }), k: fc.jsonValue({ maxDepth: 1 }) }).map((v) => Buffer.from(JSON.stringify(v)).toString('base64url')),
    value,
  ),
  q: fc.oneof(fc.constantFrom('bill', 'bulk-0', ':', ''), value),
  owner: fc.oneof(fc.constantFrom('billing', 'config', 'reports'), value),
  state: fc.constantFrom('scheduled', 'paused', 'running', 'done', 'x'),
  paused: fc.constantFrom('true', 'false'),
  failing: fc.constantFrom('true', 'false'),
  wait: fc.integer({ min: 0, max: 1500 }).map(String),
  types: fc.constantFrom('job.*', 'plugin.*,scheduler.*', 'job.paused'),
  job: fc.constantFrom('billing:sync', 'nightly'),
};

/** A query with some of `keys` (the route's own) at plausible values. */
const plausibleQuery = (keys: readonly string[]): fc.Arbitrary<string> =>
  fc.record(Object.fromEntries(keys.map((k) => [k, PLAUSIBLE[k]!])), { requiredKeys: [] }).map((q) => Object.entries(q).map(([k, v]) => `${k}=${encodeURIComponent(v as string)}`).join('&'));

/** Any query: the routes' keys and others with random values, repeated at times. */
const anyQuery = fc
  .array(fc.tuple(fc.constantFrom('limit', 'cursor', 'q', 'owner', 'state', 'paused', 'failing', 'wait', 'types', 'job', '__proto__', 'x'), value), { maxLength: 5 })
  .map((pairs) => pairs.map(([k, v]) => `${k}=${v}`).join('&'));

const queryFor = (keys: readonly string[]) => fc.option(fc.oneof({ weight: 3, arbitrary: plausibleQuery(keys) }, { weight: 1, arbitrary: anyQuery }), { nil: undefined });

const trigger = fc.oneof(
  fc.record({ type: fc.constantFrom('interval', 'cron', 'date', 'weekly'), seconds: fc.option(fc.integer({ min: -5, max: 100 }), { nil: undefined }), expression: fc.option(fc.constantFrom('*/5 * * * *', '61 * * * *', 'nope', '@daily'), { nil: undefined }), runDate: fc.option(fc.constantFrom('2031-01-01T00:00:00Z', 'tomorrow', '99999-01-01'), { nil: undefined }), timezone: fc.option(fc.constantFrom('UTC', 'Mars/Base'), { nil: undefined }) }),
  fc.record({ type: fc.constant('interval'), minutes: fc.double({ min: -1, max: 10, noNaN: false }), maxRuns: fc.option(fc.integer({ min: -1, max: 3 }), { nil: undefined }) }),
);
const runBody = fc.record({
  args: fc.option(fc.oneof(fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 4 }), fc.jsonValue({ maxDepth: 1 })), { nil: undefined }),
  wait: fc.option(fc.boolean(), { nil: undefined }),
  timeoutMs: fc.option(fc.oneof(fc.integer({ min: -10, max: 2000 }), fc.constantFrom(0.5, 300_001, 'x')), { nil: undefined }),
});
const body = fc.oneof(
  fc.constant(undefined),
  runBody.map((v) => Buffer.from(JSON.stringify(v))),
  trigger.map((v) => Buffer.from(JSON.stringify(v))),
  fc.jsonValue({ maxDepth: 3 }).map((v) => Buffer.from(JSON.stringify(v) ?? 'null')),
  fc.string({ maxLength: 80 }).map((s) => Buffer.from(s)),
  fc.uint8Array({ maxLength: 80 }).map((b) => Buffer.from(b)),
);
const contentType = fc.option(fc.constantFrom('application/json', 'application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded'), { nil: undefined, freq: 6 });
const token = fc.option(fc.constantFrom(T.read, T.operate, T.admin, T.admin, T.admin, 'wrong-token-0123456789'), { nil: undefined, freq: 12 });
const method = fc.constantFrom('GET', 'GET', 'POST', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD');

/** Every new route with its method and query keys; `{id}` is filled with a random id. */
const ROUTES: ReadonlyArray<readonly [string, string, readonly string[]]> = [
  ['GET', '/admin/v1/scheduler', []], ['GET', '/admin/v1/jobs', ['limit', 'cursor', 'q', 'owner', 'state', 'paused', 'failing']],
  ['GET', '/admin/v1/jobs/{id}', []], ['GET', '/admin/v1/jobs/{id}/history', ['limit', 'cursor']],
  ['POST', '/admin/v1/jobs/{id}/run', []], ['POST', '/admin/v1/jobs/{id}/pause', []], ['POST', '/admin/v1/jobs/{id}/resume', []],
  ['PUT', '/admin/v1/jobs/{id}/trigger', []], ['DELETE', '/admin/v1/jobs/{id}', []], ['GET', '/admin/v1/runs/{id}', ['wait']],
  ['GET', '/admin/v1/plugins', []], ['GET', '/admin/v1/plugins/{id}', []], ['POST', '/admin/v1/plugins/{id}/reload', []],
  ['GET', '/admin/v1/events', ['job', 'owner', 'types']], ['POST', '/scheduler/run/{id}', []],
];

/** Method, path and query: mostly a route with its own method and keys (each route as likely), sometimes anything. */
const target = fc.oneof(
  { weight: 5, arbitrary: fc.tuple(fc.constantFrom(...ROUTES), id).chain(([[m, p, keys], x]) => fc.tuple(fc.constant(m), fc.constant(p.replace('{id}', x)), queryFor(keys))) },
  { weight: 1, arbitrary: fc.tuple(method, path, queryFor([])) },
);

describe('fuzzed admin API requests through xcore start', () => {
  it(`answer below 500 with the error shape on every error (${RUNS} cases); the host keeps running and logs no error`, async () => {
    const app = writeAdminApp();
    const { app: host, url } = await startAdminApp(app.dir, { BILLING_JOBS: '5' });
    const port = Number(new URL(url).port);
    try {
      await fc.assert(
        fc.asyncProperty(target, body, contentType, token, async ([m, p, q], b, type, tok) => {
          const headers: Record<string, string> = {};
          if (type !== undefined) headers['content-type'] = type;
          if (tok !== undefined) headers.authorization = `Bearer ${tok}`;
          const sent = m === 'GET' || m === 'HEAD' ? undefined : b;
          if (sent !== undefined) headers['content-length'] = String(sent.length);
          const target = q === undefined ? p : `${p}?${q}`;
          const answer = await send(port, m, target, headers, sent);
          expect(answer.status, `${m} ${target}: ${answer.text}`).toBeGreaterThanOrEqual(200);
          expect(answer.status, `${m} ${target}: ${answer.text}`).toBeLessThan(500);
          if (answer.status >= 400 && m !== 'HEAD') expect(errorShape.parse(JSON.parse(answer.text)).error.status).toBe(answer.status);
        }),
        { numRuns: RUNS },
      );
      const alive = await send(port, 'GET', '/admin/v1/scheduler', { authorization: `Bearer ${T.read}` }, undefined);
      expect(alive.status).toBe(200);
      expect(host.lines.filter((l) => typeof l.level === 'number' && l.level >= 50)).toEqual([]);
      expect(host.stderr()).toBe('');
    } finally {
      host.child.kill('SIGTERM');
      await host.exited;
    }
  }, 300_000);
});
