/**
 * The server over real HTTP on a free port: plugin routes (validation, default protection, public
 * routes, errors, removal), host routes, the body limit, the error shape and the audit line.
 */
import { readFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { fileURLToPath } from 'node:url';
import { XcoreError } from '@xcore/core';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { call, expectError, rawCall, serverPerTest, TOKENS } from '../http.fixtures.js';

/** A coded error of some plugin: the status comes from its code. */
class WidgetNotFoundError extends XcoreError {
  constructor(message: string) {
    super('XCORE_ERR_WIDGET_NOT_FOUND', message);
  }
}

const startServer = serverPerTest();

describe('plugin routes', () => {
  it('serves a route under /plugins/<plugin> with params, query and body validated and typed', async () => {
    const host = await startServer();
    const http = host.server.forPlugin('orders');
    http.route({
      method: 'POST',
      path: '/orders/:id/refund',
      params: z.object({ id: z.string().regex(/^\d+$/) }),
      query: z.object({ dryRun: z.enum(['true', 'false']).default('false') }),
      body: z.object({ amount: z.number().positive(), reason: z.string().optional() }),
      handler: ({ params, query, body, identity }) => ({ id: Number(params.id), amount: body.amount * 2, dryRun: query.dryRun === 'true', by: identity.subject }),
    });
    const ok = await call(`${http.url}/orders/42/refund?dryRun=true`, {
      method: 'POST',
      token: TOKENS.operate,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ amount: 2.5 }),
    });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ id: 42, amount: 5, dryRun: true, by: 'operate-bot' });

    const bad = await call(`${http.url}/orders/x1/refund?dryRun=maybe`, {
      method: 'POST',
      token: TOKENS.operate,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ amount: 'ten' }),
    });
    const error = expectError(bad, 400, 'XCORE_ERR_HTTP_VALIDATION');
    expect(error.issues?.map((i) => `${i.in}:${i.path}`).sort()).toEqual(['body:amount', 'params:id', 'query:dryRun']);
    expect(error.message).toContain('body.amount');
  });

  it('protects routes by default (read for GET, operate otherwise) and opens those marked public', async () => {
    const host = await startServer();
    const http = host.server.forPlugin('shop');
    http.route({ method: 'GET', path: '/stock', handler: () => ({ items: 3 }) });
    http.route({ method: 'DELETE', path: '/stock', handler: () => undefined });
    http.route({ method: 'GET', path: '/ping', auth: 'public', handler: () => 'pong' });

    expectError(await call(`${http.url}/stock`), 401, 'XCORE_ERR_HTTP_UNAUTHENTICATED');
    expect((await call(`${http.url}/stock`, { token: TOKENS.read })).body).toEqual({ items: 3 });
    expectError(await call(`${http.url}/stock`, { method: 'DELETE', token: TOKENS.read }), 403, 'XCORE_ERR_HTTP_FORBIDDEN');
    expect((await call(`${http.url}/stock`, { method: 'DELETE', token: TOKENS.operate })).status).toBe(204);
    expect((await call(`${http.url}/ping`)).body).toBe('pong');
  });

  it('answers 500 with the error shape and logs the error when a handler throws; a coded error keeps its status', async () => {
    const host = await startServer();
    const http = host.server.forPlugin('flaky');
    http.route({ method: 'GET', path: '/boom', auth: 'public', handler: () => { throw new Error('secret detail'); } });
    http.route({ method: 'GET', path: '/async-boom', auth: 'public', handler: async () => Promise.reject(new TypeError('late')) });
    http.route({ method: 'GET', path: '/job/:id', auth: 'public', handler: ({ params }) => { throw new WidgetNotFoundError(`No widget "${params.id}"`); } });
    http.route({ method: 'GET', path: '/big', auth: 'public', handler: () => ({ n: 10n }) });

    const boom = expectError(await call(`${http.url}/boom`), 500, 'XCORE_ERR_HTTP_INTERNAL');
    expect(boom.message).not.toContain('secret detail');
    const logged = host.lines.find((l) => l.msg === 'route handler threw' && l.requestId === boom.requestId);
    expect((logged?.err as { message?: string } | undefined)?.message).toBe('secret detail');
    expectError(await call(`${http.url}/async-boom`), 500, 'XCORE_ERR_HTTP_INTERNAL');
    expectError(await call(`${http.url}/big`), 500, 'XCORE_ERR_HTTP_INTERNAL');
    expect(expectError(await call(`${http.url}/job/nightly`), 404, 'XCORE_ERR_WIDGET_NOT_FOUND').message).toBe('No widget "nightly"');
    // The server still answers.
    expect((await call(`${host.url}/admin/v1/whoami`, { token: TOKENS.read })).status).toBe(200);
  });

  it('removes a plugin\'s routes when it stops and refuses new ones from the stopped view; the next start mounts them again', async () => {
    const host = await startServer();
    const first = host.server.forPlugin('web');
    first.route({ method: 'GET', path: '/hello', auth: 'public', handler: () => 'v1' });
    expect((await call(`${first.url}/hello`)).body).toBe('v1');

    host.server.onPluginStopped('web');
    expectError(await call(`${first.url}/hello`), 404, 'XCORE_ERR_HTTP_NOT_FOUND');
    expect(() => first.route({ method: 'GET', path: '/late', handler: () => 1 })).toThrow(expect.objectContaining({ code: 'XCORE_ERR_HTTP_PLUGIN_STOPPED' }));

    const second = host.server.forPlugin('web');
    second.route({ method: 'GET', path: '/hello', auth: 'public', handler: () => 'v2' });
    expect((await call(`${second.url}/hello`)).body).toBe('v2');
  });

  it('refuses malformed and conflicting definitions without changing what is mounted', async () => {
    const host = await startServer();
    const http = host.server.forPlugin('p');
    const remove = http.route({ method: 'GET', path: '/items/:id', auth: 'public', handler: ({ params }) => params.id });
    const invalid = [
      { method: 'FETCH', path: '/x', handler: () => 1 },
      { method: 'GET', path: 'x', handler: () => 1 },
      { method: 'GET', path: '/x/{y}', handler: () => 1 },
      { method: 'GET', path: '/x/:a/:a', handler: () => 1 },
      { method: 'GET', path: '/x', auth: 'root', handler: () => 1 },
      { method: 'GET', path: '/x', body: { parse: () => 1 }, handler: () => 1 },
      { method: 'GET', path: '/x/:id', params: z.object({ orderId: z.string() }), handler: () => 1 },
      { method: 'GET', path: '/x' },
    ];
    for (const def of invalid) {
      expect(() => http.route(def as never), JSON.stringify(def)).toThrow(expect.objectContaining({ code: 'XCORE_ERR_HTTP_ROUTE_INVALID' }));
    }
    expect(() => http.route({ method: 'GET', path: '/items/:other/', handler: () => 2 })).toThrow(expect.objectContaining({ code: 'XCORE_ERR_HTTP_ROUTE_CONFLICT' }));
    expect((await call(`${http.url}/items/7`)).body).toBe('7');
    remove();
    expectError(await call(`${http.url}/items/7`), 404, 'XCORE_ERR_HTTP_NOT_FOUND');
  });
});

describe('host routes, limits and the error shape', () => {
  it('mounts service routes under the base path, outside /admin and /plugins', async () => {
    const host = await startServer({ basePath: '/xcore/' });
    expect(host.url).toMatch(/\/xcore$/);
    host.server.route({ method: 'GET', path: '/livez', auth: 'public', handler: () => ({ ok: true }) });
    expect((await call(`${host.url}/livez`)).body).toEqual({ ok: true });
    expectError(await call(`${host.url.replace(/\/xcore$/, '')}/livez`), 404, 'XCORE_ERR_HTTP_NOT_FOUND');
    for (const path of ['/admin/v2/x', '/plugins/x', '/admin']) {
      expect(() => host.server.route({ method: 'GET', path, handler: () => 1 })).toThrow(expect.objectContaining({ code: 'XCORE_ERR_HTTP_ROUTE_CONFLICT' }));
    }
  });

  it('refuses bodies over bodyLimit (413), other media types (415) and bad JSON (400)', async () => {
    const host = await startServer({ bodyLimit: '1kb' });
    const http = host.server.forPlugin('in');
    http.route({ method: 'POST', path: '/echo', auth: 'public', body: z.unknown(), handler: ({ body }) => ({ body }) });
    const post = (body: string, type = 'application/json', extra: Record<string, string> = {}) =>
      call(`${http.url}/echo`, { method: 'POST', headers: { 'content-type': type, ...extra }, body });
    expect((await post(JSON.stringify({ a: 'x'.repeat(900) }))).status).toBe(200);
    expectError(await post(JSON.stringify({ a: 'x'.repeat(1100) })), 413, 'XCORE_ERR_HTTP_BODY_TOO_LARGE');
    // Chunked, no Content-Length: stopped while reading.
    const chunked = await rawCall(host.port, 'POST', '/plugins/in/echo', { 'content-type': 'application/json', 'transfer-encoding': 'chunked' }, JSON.stringify({ a: 'y'.repeat(5000) }));
    expect(chunked.status).toBe(413);
    expectError(await post('a=1', 'application/x-www-form-urlencoded'), 415, 'XCORE_ERR_HTTP_UNSUPPORTED_MEDIA_TYPE');
    expectError(await post('{"a":'), 400, 'XCORE_ERR_HTTP_BODY_INVALID');
    expect((await post('{"a":1}', 'application/merge-patch+json')).body).toEqual({ body: { a: 1 } });
  });

  it('answers an unparseable request and a malformed percent-escape with the error shape', async () => {
    const host = await startServer();
    const bad = await rawCall(host.port, 'GET', '/admin/v1/%E0%A4%A');
    expect(bad.status).toBe(404);
    expect(JSON.parse(bad.text)).toMatchObject({ error: { code: 'XCORE_ERR_HTTP_NOT_FOUND' } });
    const { Socket } = await import('node:net');
    const raw = await new Promise<string>((resolve) => {
      const socket = new Socket();
      let text = '';
      socket.connect(host.port, '127.0.0.1', () => socket.write('NOT HTTP AT ALL\r\n\r\n'));
      socket.on('data', (d: Buffer) => (text += d.toString()));
      socket.on('close', () => resolve(text));
    });
    expect(raw).toMatch(/^HTTP\/1\.1 400 /);
    expect(JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4))).toMatchObject({ error: { status: 400, code: 'XCORE_ERR_HTTP_BAD_REQUEST' } });
  });
});

describe('start', () => {
  it('fails with XCORE_ERR_HTTP_LISTEN_FAILED naming the address when the port is taken', async () => {
    const first = await startServer();
    await expect(startServer({ port: first.port })).rejects.toMatchObject({
      code: 'XCORE_ERR_HTTP_LISTEN_FAILED',
      message: expect.stringContaining(`127.0.0.1:${first.port}: the address is in use`),
    });
    expect((await call(`${first.url}/admin/v1/whoami`, { token: TOKENS.read })).status).toBe(200);
  });
});

describe('stop', () => {
  it('lets a request in progress finish, asking its client to close the connection, then refuses connections', async () => {
    const host = await startServer();
    let entered!: () => void;
    const inHandler = new Promise<void>((resolve) => (entered = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    host.server.route({ method: 'GET', path: '/slow', auth: 'public', handler: async () => { entered(); await released; return { done: true }; } });
    const pending = rawCall(host.port, 'GET', '/slow');
    await inHandler;
    const stopped = host.server.stop(10_000);
    release();
    const answer = await pending;
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text)).toEqual({ done: true });
    expect(answer.headers.connection).toBe('close');
    await stopped;
    await expect(rawCall(host.port, 'GET', '/slow')).rejects.toThrow(/ECONNREFUSED/);
  });
});

describe('audit', () => {
  it('writes one audit line per write action, as a log line and an http.audit event, with who, what, target and result', async () => {
    const host = await startServer();
    const http = host.server.forPlugin('jobs');
    http.route({
      method: 'POST',
      path: '/jobs/:id/run',
      params: z.object({ id: z.string() }),
      audit: { action: 'job.run', target: (params) => params.id },
      handler: () => ({ started: true }),
    });
    http.route({ method: 'GET', path: '/jobs', handler: () => [] });
    http.route({ method: 'PUT', path: '/noise', audit: false, handler: () => undefined });
    await call(`${http.url}/jobs`, { token: TOKENS.read });
    await call(`${http.url}/noise`, { method: 'PUT', token: TOKENS.operate });
    await call(`${http.url}/jobs/nightly/run`, { method: 'POST', token: TOKENS.operate });
    await call(`${http.url}/jobs/nightly/run`, { method: 'POST', token: TOKENS.read });
    await call(`${http.url}/jobs/nightly/run`, { method: 'POST' });
    expect(host.audits.map((a) => [a.actor.subject, a.action, a.target, a.result, a.status, a.code])).toEqual([
      ['operate-bot', 'job.run', 'nightly', 'ok', 200, undefined],
      ['read-bot', 'job.run', 'nightly', 'denied', 403, 'XCORE_ERR_HTTP_FORBIDDEN'],
      ['unknown', 'job.run', 'nightly', 'denied', 401, 'XCORE_ERR_HTTP_UNAUTHENTICATED'],
    ]);
    const logged = host.lines.filter((l) => l.msg === 'audit').map((l) => l.audit);
    expect(logged).toEqual(host.audits.map((a) => JSON.parse(JSON.stringify(a)) as unknown));
    expect(host.audits[0]).toMatchObject({ client: '127.0.0.1', actor: { kind: 'token' } });
  });
});

describe('TLS', () => {
  // Self-signed P-256 certificate for localhost/127.0.0.1 (100 years), and a key of another pair.
  const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

  it('serves HTTPS with the configured certificate and key', async () => {
    const host = await startServer({ tls: { cert: fixture('localhost.crt'), key: fixture('localhost.key') } });
    expect(host.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpsRequest(`${host.url}/admin/v1/whoami`, { ca: readFileSync(fixture('localhost.crt')), headers: { authorization: `Bearer ${TOKENS.read}` } }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ subject: 'read-bot' });
  });

  it('refuses at boot a key that does not match the certificate', async () => {
    await expect(startServer({ tls: { cert: fixture('localhost.crt'), key: fixture('other.key') } })).rejects.toMatchObject({
      code: 'XCORE_ERR_CONFIG_INVALID',
      message: expect.stringContaining('services.http.tls.key: expected a PEM private key matching the certificate'),
    });
  });
});
