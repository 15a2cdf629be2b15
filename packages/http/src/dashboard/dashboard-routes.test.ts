/**
 * The dashboard's server side over real HTTP: the page and its assets under a strict CSP, sign-in
 * exchanging a token for an HttpOnly SameSite=Strict cookie, the cookie accepted by the admin API,
 * CSRF checks on cookie writes, cross-site writes refused whatever the credential, read-only
 * sessions refused writes, sign-out, idle and absolute expiry.
 */
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryStore, Scheduler } from '@xcore/scheduler';
import { call, expectError, startServer, TOKENS, type TestServer } from '../http.fixtures.js';

let scheduler: Scheduler;
let host: TestServer;
let clock = Date.parse('2026-06-01T10:00:00Z');

async function start(section: Record<string, unknown> = {}): Promise<void> {
  host = await startServer(section, { now: () => clock, getService: ((name: string) => (name === 'scheduler' ? scheduler : undefined)) as never });
}

beforeEach(async () => {
  clock = Date.parse('2026-06-01T10:00:00Z');
  scheduler = new Scheduler({ store: new MemoryStore(), logger: pino({ level: 'silent' }), owner: 'proc-1' });
  await scheduler.addJob(() => undefined, { id: 'billing:sync', every: 3_600_000 });
  scheduler.startFiring();
});
afterEach(async () => {
  await host?.close();
  await scheduler.stop({ deadlineMs: 1000 });
});

/** Signs in with `token`; returns the cookie pair to send and the CSRF token. */
async function signIn(token: string): Promise<{ cookie: string; csrf: string; setCookie: string }> {
  const answer = await call(`${host.url}/admin/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token }) });
  expect(answer.status).toBe(200);
  const setCookie = answer.headers.get('set-cookie') ?? '';
  const cookie = setCookie.split(';')[0]!;
  return { cookie, csrf: (answer.body as { csrfToken: string }).csrfToken, setCookie };
}

const pause = (headers: Record<string, string>) => call(`${host.url}/admin/v1/jobs/billing%3Async/pause`, { method: 'POST', headers });
const paused = async (): Promise<boolean> => (await scheduler.operator.getJob('billing:sync')).paused;

describe('dashboard page and assets', () => {
  it('serves the page under a strict CSP with no inline script or style, and the assets it links', async () => {
    await start();
    const page = await call(`${host.url}/admin/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(page.text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(page.text).not.toMatch(/\sstyle=|<style/);
    expect(page.text).not.toMatch(/https?:\/\//);
    const script = /<script type="module" src="([^"]+)"/.exec(page.text)?.[1];
    const style = /<link rel="stylesheet" href="([^"]+)"/.exec(page.text)?.[1];
    const js = await call(`http://127.0.0.1:${host.port}${script}`);
    expect([js.status, js.headers.get('content-type'), js.headers.get('cache-control')]).toEqual([200, 'text/javascript; charset=utf-8', 'public, max-age=31536000, immutable']);
    expect(js.text.length).toBeGreaterThan(1000);
    const css = await call(`http://127.0.0.1:${host.port}${style}`);
    expect([css.status, css.headers.get('content-type')]).toEqual([200, 'text/css; charset=utf-8']);
    const again = await fetch(`http://127.0.0.1:${host.port}${script}`, { headers: { 'if-none-match': js.headers.get('etag') ?? '' } });
    expect(again.status).toBe(304);
    expectError(await call(`${host.url}/admin/assets/nope.js`), 404, 'XCORE_ERR_HTTP_NOT_FOUND');
    expect((await call(`${host.url}/admin`)).status).toBe(200);
  });

  it('uses the base path for the assets and the cookie, and is off with dashboard.enabled false', async () => {
    await start({ basePath: '/ops' });
    const page = await call(`${host.url}/admin/`);
    expect(page.text).toContain('<meta name="xcore-base" content="/ops">');
    expect(page.text).toMatch(/src="\/ops\/admin\/assets\/app-[^"]+\.js"/);
    expect((await signIn(TOKENS.read)).setCookie).toContain('Path=/ops/admin;');
    await host.close();
    await start({ dashboard: { enabled: false } });
    expectError(await call(`${host.url}/admin/`), 404, 'XCORE_ERR_HTTP_NOT_FOUND');
    expectError(await call(`${host.url}/admin/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: TOKENS.operate }) }), 404, 'XCORE_ERR_HTTP_NOT_FOUND');
  });
});

describe('dashboard sessions', () => {
  it('exchanges a valid token for an HttpOnly SameSite=Strict cookie and refuses a wrong one', async () => {
    await start();
    const wrong = await call(`${host.url}/admin/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: 'not-a-token-0123456789' }) });
    expectError(wrong, 401, 'XCORE_ERR_HTTP_UNAUTHENTICATED');
    expect(wrong.headers.get('set-cookie')).toBeNull();
    const { cookie, csrf, setCookie } = await signIn(TOKENS.operate);
    expect(setCookie).toMatch(/^xcore_session=[A-Za-z0-9_-]{43}; Path=\/admin; HttpOnly; SameSite=Strict; Max-Age=28800$/);
    expect(setCookie).not.toContain(TOKENS.operate);
    const session = await call(`${host.url}/admin/session`, { headers: { cookie } });
    expect(session.body).toEqual({ signedIn: true, auth: 'verify', identity: { kind: 'token', subject: 'operate-bot', scopes: ['read', 'operate'] }, csrfToken: csrf, expiresAt: '2026-06-01T18:00:00.000Z' });
    expect((await call(`${host.url}/admin/session`)).body).toMatchObject({ signedIn: false, identity: null, csrfToken: null });
    expect((await call(`${host.url}/admin/v1/whoami`, { headers: { cookie } })).body).toMatchObject({ kind: 'token', subject: 'operate-bot' });
    expectError(await call(`${host.url}/admin/v1/whoami`, { headers: { cookie: 'xcore_session=forged' } }), 401, 'XCORE_ERR_HTTP_UNAUTHENTICATED');
    expect(host.audits.map((a) => [a.action, a.result])).toEqual([['dashboard.sign_in', 'denied'], ['dashboard.sign_in', 'ok']]);
  });

  it('lets a cookie write only with the session\'s CSRF token', async () => {
    await start();
    const { cookie, csrf } = await signIn(TOKENS.operate);
    expectError(await pause({ cookie }), 403, 'XCORE_ERR_HTTP_CSRF_REFUSED');
    expectError(await pause({ cookie, 'x-csrf-token': `${csrf.slice(0, -1)}A` === csrf ? `${csrf.slice(0, -1)}B` : `${csrf.slice(0, -1)}A` }), 403, 'XCORE_ERR_HTTP_CSRF_REFUSED');
    const other = await signIn(TOKENS.operate);
    expectError(await pause({ cookie, 'x-csrf-token': other.csrf }), 403, 'XCORE_ERR_HTTP_CSRF_REFUSED');
    expect(await paused()).toBe(false);
    const ok = await pause({ cookie, 'x-csrf-token': csrf, origin: `http://127.0.0.1:${host.port}`, 'sec-fetch-site': 'same-origin' });
    expect(ok.status).toBe(200);
    expect(await paused()).toBe(true);
  });

  it('refuses writes a browser marks as cross-site, whatever the credential', async () => {
    await start();
    const { cookie, csrf } = await signIn(TOKENS.operate);
    const bearer = { authorization: `Bearer ${TOKENS.operate}` };
    expectError(await pause({ ...bearer, 'sec-fetch-site': 'cross-site' }), 403, 'XCORE_ERR_HTTP_CSRF_REFUSED');
    expectError(await pause({ ...bearer, 'sec-fetch-site': 'same-site' }), 403, 'XCORE_ERR_HTTP_CSRF_REFUSED');
    expectError(await pause({ cookie, 'x-csrf-token': csrf, origin: 'https://evil.example' }), 403, 'XCORE_ERR_HTTP_CSRF_REFUSED');
    expectError(await pause({ ...bearer, origin: 'null' }), 403, 'XCORE_ERR_HTTP_CSRF_REFUSED');
    // The classic forged form: urlencoded, cross-site, the cookie attached by an old browser.
    const form = await call(`${host.url}/admin/v1/jobs/billing%3Async/pause`, {
      method: 'POST', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' }, body: 'x=1',
    });
    expectError(form, 403, 'XCORE_ERR_HTTP_CSRF_REFUSED');
    const signInForm = await call(`${host.url}/admin/session`, { method: 'POST', headers: { 'content-type': 'application/json', 'sec-fetch-site': 'cross-site' }, body: JSON.stringify({ token: TOKENS.operate }) });
    expectError(signInForm, 403, 'XCORE_ERR_HTTP_CSRF_REFUSED');
    expect(signInForm.headers.get('set-cookie')).toBeNull();
    expect(await paused()).toBe(false);
    // Reads are not affected, and a bearer client without browser headers writes as before.
    expect((await call(`${host.url}/admin/v1/whoami`, { headers: { ...bearer, 'sec-fetch-site': 'cross-site' } })).status).toBe(200);
    expect((await pause(bearer)).status).toBe(200);
  });

  it('keeps a read-only session read-only', async () => {
    await start();
    const { cookie, csrf } = await signIn(TOKENS.read);
    expect((await call(`${host.url}/admin/v1/jobs`, { headers: { cookie } })).status).toBe(200);
    expectError(await pause({ cookie, 'x-csrf-token': csrf }), 403, 'XCORE_ERR_HTTP_FORBIDDEN');
    expect(await paused()).toBe(false);
  });

  it('ends on sign-out, after the idle timeout and at the absolute expiry', async () => {
    await start({ dashboard: { sessionTtl: '2h', idleTimeout: '30m' } });
    const a = await signIn(TOKENS.read);
    const out = await call(`${host.url}/admin/session`, { method: 'DELETE', headers: { cookie: a.cookie, 'x-csrf-token': a.csrf } });
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/^xcore_session=; Path=\/admin; HttpOnly; SameSite=Strict; Max-Age=0$/);
    expectError(await call(`${host.url}/admin/v1/whoami`, { headers: { cookie: a.cookie } }), 401, 'XCORE_ERR_HTTP_UNAUTHENTICATED');

    const b = await signIn(TOKENS.read);
    clock += 29 * 60_000;
    expect((await call(`${host.url}/admin/v1/whoami`, { headers: { cookie: b.cookie } })).status).toBe(200);
    clock += 29 * 60_000;
    expect((await call(`${host.url}/admin/v1/whoami`, { headers: { cookie: b.cookie } })).status).toBe(200);
    clock += 30 * 60_000;
    expectError(await call(`${host.url}/admin/v1/whoami`, { headers: { cookie: b.cookie } }), 401, 'XCORE_ERR_HTTP_UNAUTHENTICATED');

    const c = await signIn(TOKENS.read);
    for (let i = 0; i < 4; i++) {
      clock += 29 * 60_000;
      expect((await call(`${host.url}/admin/v1/whoami`, { headers: { cookie: c.cookie } })).status).toBe(200);
    }
    clock += 5 * 60_000;
    expectError(await call(`${host.url}/admin/v1/whoami`, { headers: { cookie: c.cookie } }), 401, 'XCORE_ERR_HTTP_UNAUTHENTICATED');
  });
});
