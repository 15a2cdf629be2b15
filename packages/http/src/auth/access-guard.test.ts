/**
 * Access over real HTTP: the failed-authentication limit per client (behind a trusted proxy too),
 * and `auth: none`.
 */
import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { httpConfigSchema } from '../config/http-config.js';
import { call, expectError, serverPerTest, TOKENS } from '../http.fixtures.js';
import { createHttpServer } from '../service/http-definition.js';

const startServer = serverPerTest();

describe('failed authentication limit', () => {
  it('answers 429 with Retry-After once a client failed `failures` times, even with a valid token, until the window passes', async () => {
    let now = Date.parse('2026-06-01T12:00:00Z');
    const host = await startServer({ rateLimit: { failures: 3, window: '1m' } }, { now: () => now });
    const whoami = `${host.url}/admin/v1/whoami`;
    for (let i = 0; i < 3; i++) expectError(await call(whoami, { token: 'wrong-token-0123456789' }), 401, 'XCORE_ERR_HTTP_UNAUTHENTICATED');
    const blocked = await call(whoami, { token: TOKENS.admin });
    expectError(blocked, 429, 'XCORE_ERR_HTTP_RATE_LIMITED');
    expect(blocked.headers.get('retry-after')).toBe('60');
    now += 30_000;
    expect((await call(whoami, { token: TOKENS.admin })).headers.get('retry-after')).toBe('30');
    now += 30_001;
    expect((await call(whoami, { token: TOKENS.admin })).status).toBe(200);
  });

  it('does not count 403s, and a success clears the count', async () => {
    const host = await startServer({ rateLimit: { failures: 2 } });
    const http = host.server.forPlugin('p');
    http.route({ method: 'POST', path: '/act', handler: () => ({ ok: true }) });
    for (let i = 0; i < 5; i++) expectError(await call(`${http.url}/act`, { method: 'POST', token: TOKENS.read }), 403, 'XCORE_ERR_HTTP_FORBIDDEN');
    expectError(await call(`${http.url}/act`, { method: 'POST' }), 401, 'XCORE_ERR_HTTP_UNAUTHENTICATED');
    expect((await call(`${http.url}/act`, { method: 'POST', token: TOKENS.operate })).status).toBe(200);
    expectError(await call(`${http.url}/act`, { method: 'POST' }), 401, 'XCORE_ERR_HTTP_UNAUTHENTICATED');
    expect((await call(`${http.url}/act`, { method: 'POST', token: TOKENS.operate })).status).toBe(200);
  });

  it('limits each client behind a trusted proxy by its X-Forwarded-For address', async () => {
    const host = await startServer({ rateLimit: { failures: 2 }, trustProxy: ['loopback'] });
    const whoami = `${host.url}/admin/v1/whoami`;
    const from = (ip: string, token: string) => call(whoami, { token, headers: { 'x-forwarded-for': ip } });
    await from('198.51.100.1', 'bad-token-0123456789');
    await from('198.51.100.1', 'bad-token-0123456789');
    expectError(await from('198.51.100.1', TOKENS.read), 429, 'XCORE_ERR_HTTP_RATE_LIMITED');
    const other = await from('198.51.100.2', TOKENS.read);
    expect(other.body).toMatchObject({ subject: 'read-bot', client: '198.51.100.2' });
  });
});

describe('auth: none', () => {
  it('admits everyone with every scope on loopback and warns at start', async () => {
    const host = await startServer({ auth: 'none' });
    expect((await call(`${host.url}/admin/v1/whoami`)).body).toEqual({ kind: 'none', subject: 'anonymous', scopes: ['read', 'operate', 'admin'], client: '127.0.0.1' });
    expect(host.lines.some((l) => l.level === 40 && String(l.msg).startsWith('services.http.auth is "none"'))).toBe(true);
  });

  it('refuses to start when the address bound is not loopback (a host the schema could not judge)', async () => {
    const config = { ...httpConfigSchema.parse({ enabled: true, port: 0 }), host: '0.0.0.0', auth: 'none' as const };
    const server = createHttpServer({ config, logger: pino({ level: 'silent' }), configFile: '' });
    await expect(server.start()).rejects.toMatchObject({ code: 'XCORE_ERR_HTTP_AUTH_NONE_REFUSED', message: expect.stringContaining('0.0.0.0') });
    expect(server.address).toBeUndefined();
  });
});
