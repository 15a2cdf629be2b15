/**
 * The http service through the real `xcore start` (built CLI, child process, free port): a plugin
 * route served, protected and gone once its plugin stops; the auth matrix (every refused request
 * is 401/403 and changes nothing); `auth: none` refused on a non-loopback host.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../packages/http/src/auth/token-auth.js';
import { AUDIENCE, claims, hmacJwt, HS_SECRET, hsJwt, ISSUER, keyFiles, noneJwt, seconds, signJwt, type KeyFiles } from '../packages/http/src/auth/jwt.fixtures.js';
import { call, expectError } from '../packages/http/src/http.fixtures.js';
import { killAppsAfterEach, removeTempAppsAfterAll, tempAppDir, TEST_TMP, track } from './helpers/cli-app.js';
import { runXcore, type XcoreProcess } from './helpers/cli-process.js';

const OPS_TOKEN = 'ops-token-from-env-0123456789';
const VIEWER_TOKEN = 'viewer-token-0123456789abcdef';

killAppsAfterEach();
removeTempAppsAfterAll();

/** `store` stops slowly after `web` (which depends on it), so the server still runs once `web` stopped. */
const STORE_PLUGIN = `export default {
  onStart(ctx) { ctx.logger.info('store up'); },
  async onStop(ctx) { ctx.logger.info('store stopping'); await new Promise((r) => setTimeout(r, 3000)); },
};
`;

/** `web` keeps a list of items behind three routes of three scopes, and a public ping. */
const WEB_PLUGIN = `import { z } from 'zod';
const items = [];
export default {
  onStart(ctx) {
    const http = ctx.getService('http');
    http.route({ method: 'GET', path: '/ping', auth: 'public', handler: () => ({ pong: true }) });
    http.route({ method: 'GET', path: '/items', handler: () => ({ items }) });
    http.route({
      method: 'POST', path: '/items', status: 201,
      body: z.object({ name: z.string().min(1) }),
      audit: { action: 'item.add' },
      handler: ({ body }) => { items.push(body.name); return { items }; },
    });
    http.route({ method: 'DELETE', path: '/items', auth: 'admin', handler: () => { items.length = 0; } });
  },
};
`;

function writeApp(httpSection: string): string {
  const dir = tempAppDir('http-cli-');
  const yaml = `app:\n  name: http-fixture\n  shutdownTimeoutMs: 10s\nlogging:\n  level: info\n  pretty: false\nservices:\n  http:\n${httpSection.replace(/^/gm, '    ')}\n`;
  writeFileSync(join(dir, 'xcore.yaml'), yaml);
  for (const [name, source, dependencies] of [['store', STORE_PLUGIN, {}], ['web', WEB_PLUGIN, { store: '^1.0.0' }]] as const) {
    const folder = join(dir, 'plugins', name);
    mkdirSync(join(folder, 'src'), { recursive: true });
    writeFileSync(join(folder, 'package.json'), JSON.stringify({ name, version: '1.0.0', type: 'module', xcore: { name, entry: './src/index.ts', dependencies } }));
    writeFileSync(join(folder, 'src', 'index.ts'), source);
  }
  return dir;
}

async function start(dir: string, env: Record<string, string> = {}): Promise<{ app: XcoreProcess; url: string }> {
  const app = track(runXcore(['start', '-c', join(dir, 'xcore.yaml')], { cwd: dir, env }));
  const listening = await app.waitFor((l) => l.msg === 'http listening');
  await app.waitFor((l) => l.msg === 'xcore started');
  return { app, url: String(listening.url) };
}

const TOKENS_SECTION = `enabled: true
port: 0
rateLimit: { failures: 1000 }
auth:
  tokens:
    - { id: ops, token: "\${OPS_TOKEN}", scopes: [operate] }
    - { id: viewer, token: "sha256:${sha256Hex(VIEWER_TOKEN)}", scopes: [read] }`;

describe('xcore start with the http service', () => {
  it('serves a plugin route, protects it, and drops it once the plugin stopped while the server still runs', async () => {
    const { app, url } = await start(writeApp(TOKENS_SECTION), { OPS_TOKEN });
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await call(`${url}/plugins/web/ping`)).body).toEqual({ pong: true });
    expectError(await call(`${url}/plugins/web/items`), 401, 'XCORE_ERR_HTTP_UNAUTHENTICATED');
    expect((await call(`${url}/plugins/web/items`, { token: VIEWER_TOKEN })).body).toEqual({ items: [] });
    const added = await call(`${url}/plugins/web/items`, { method: 'POST', token: OPS_TOKEN, headers: { 'content-type': 'application/json' }, body: '{"name":"apple"}' });
    expect(added.status).toBe(201);
    expect((await app.waitFor((l) => l.msg === 'audit')).audit).toMatchObject({ actor: { kind: 'token', subject: 'ops' }, action: 'item.add', result: 'ok', status: 201 });

    app.child.kill('SIGTERM');
    await app.waitFor((l) => l.msg === 'plugin stopped' && l.plugin === 'web');
    await app.waitFor((l) => l.msg === 'store stopping');
    expectError(await call(`${url}/plugins/web/ping`), 404, 'XCORE_ERR_HTTP_NOT_FOUND');
    expect((await call(`${url}/admin/v1/whoami`, { token: VIEWER_TOKEN })).status).toBe(200);
    expect(await app.exited).toBe(0);
    expect(app.lines.some((l) => l.msg === 'http stopped')).toBe(true);
  });

  it('refuses auth: none on a non-loopback host at boot, and warns at each start on loopback', async () => {
    const refused = track(runXcore(['start', '-c', join(writeApp('enabled: true\nhost: 0.0.0.0\nport: 0\nauth: none'), 'xcore.yaml')], { cwd: TEST_TMP }));
    expect(await refused.exited).toBe(1);
    expect(refused.stderr()).toMatch(/xcore\.yaml:12:11 +services\.http\.auth: auth "none" is only allowed when host is a loopback address/);
    expect(refused.lines.some((l) => l.msg === 'http listening')).toBe(false);

    const { app, url } = await start(writeApp('enabled: true\nport: 0\nauth: none'));
    expect(app.lines.find((l) => l.level === 40 && String(l.msg).startsWith('services.http.auth is "none"'))).toMatchObject({ url });
    expect((await call(`${url}/admin/v1/whoami`)).body).toMatchObject({ kind: 'none', scopes: ['read', 'operate', 'admin'] });
  });
});

describe('auth matrix through xcore start', () => {
  let keys: KeyFiles;
  beforeAll(async () => {
    keys = await keyFiles();
  });

  const jwtSection = (source: string) => `${TOKENS_SECTION}
  jwt:
    ${source}
    issuer: ${ISSUER}
    audience: ${AUDIENCE}
    clockSkew: 5s`;

  /** Sends each refused request to the state-changing route and to whoami; nothing may change. */
  async function expectRefusedAndUnchanged(url: string, app: XcoreProcess, cases: ReadonlyArray<readonly [string, Record<string, string>, number]>): Promise<void> {
    const items = `${url}/plugins/web/items`;
    const before = (await call(items, { token: VIEWER_TOKEN })).body;
    const audited = app.lines.filter((l) => l.msg === 'audit').length;
    for (const [name, headers, status] of cases) {
      const code = status === 401 ? 'XCORE_ERR_HTTP_UNAUTHENTICATED' : 'XCORE_ERR_HTTP_FORBIDDEN';
      const post = await call(items, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: '{"name":"intruder"}' });
      expect(post.status, name).toBe(status);
      expectError(post, status, code);
      expectError(await call(items, { method: 'DELETE', headers }), status, code);
      if (status === 401) expectError(await call(`${url}/admin/v1/whoami`, { headers }), 401, code);
    }
    expect((await call(items, { token: VIEWER_TOKEN })).body, 'a refused request changed the items').toEqual(before);
    await app.waitFor(() => app.lines.filter((l) => l.msg === 'audit').length >= audited + 2 * cases.length);
    const refusals = app.lines.filter((l) => l.msg === 'audit').slice(audited).map((l) => (l.audit as { result: string }).result);
    expect(refusals).toEqual(cases.flatMap(() => ['denied', 'denied']));
  }

  it('with tokens and an HS256 JWT: every bad or insufficient credential is refused and changes nothing', async () => {
    const { app, url } = await start(writeApp(jwtSection('secret: ${JWT_SECRET}')), { OPS_TOKEN, JWT_SECRET: HS_SECRET });
    const now = Date.now();
    const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });
    await expectRefusedAndUnchanged(url, app, [
      ['no token', {}, 401],
      ['empty bearer', { authorization: 'Bearer' }, 401],
      ['basic scheme', { authorization: `Basic ${Buffer.from(`ops:${OPS_TOKEN}`).toString('base64')}` }, 401],
      ['token without scheme', { authorization: OPS_TOKEN }, 401],
      ['two tokens', { authorization: `Bearer ${OPS_TOKEN} ${OPS_TOKEN}` }, 401],
      ['wrong token', bearer('not-the-ops-token-0123456789'), 401],
      ['the digest itself', bearer(`sha256:${sha256Hex(VIEWER_TOKEN)}`), 401],
      ['token without the scope', bearer(VIEWER_TOKEN), 403],
      ['expired JWT', bearer(await hsJwt(claims(now, 'admin', { exp: seconds(now) - 60 }))), 401],
      ['JWT not valid yet (nbf)', bearer(await hsJwt(claims(now, 'admin', { nbf: seconds(now) + 3600 }))), 401],
      ['JWT of another issuer', bearer(await hsJwt(claims(now, 'admin', { iss: 'https://evil.test' }))), 401],
      ['JWT for another audience', bearer(await hsJwt(claims(now, 'admin', { aud: 'other-api' }))), 401],
      ['JWT alg none', bearer(noneJwt(claims(now, 'admin'))), 401],
      ['RS256 JWT on an HS256 server', bearer(await signJwt(claims(now, 'admin'), keys.rsa.privateKey, 'RS256')), 401],
      ['JWT with read scope only', bearer(await hsJwt(claims(now, 'read'))), 403],
    ]);
    const ok = await call(`${url}/plugins/web/items`, { method: 'POST', token: await hsJwt(claims(now, 'operate')), headers: { 'content-type': 'application/json' }, body: '{"name":"pear"}' });
    expect(ok.status).toBe(201);
    expect(ok.body).toEqual({ items: ['pear'] });
  });

  it('with an RS256 public key: an HS256 JWT keyed with that public key (algorithm confusion) is refused', async () => {
    const { app, url } = await start(writeApp(jwtSection(`publicKey: ${keys.rsa.pemFile}`)), { OPS_TOKEN });
    const now = Date.now();
    await expectRefusedAndUnchanged(url, app, [
      ['HS256 keyed with the RSA public key', { authorization: `Bearer ${hmacJwt(claims(now, 'admin'), keys.rsa.pem)}` }, 401],
      ['ES256 JWT on an RS256 server', { authorization: `Bearer ${await signJwt(claims(now, 'admin'), keys.ec.privateKey, 'ES256')}` }, 401],
      ['alg none', { authorization: `Bearer ${noneJwt(claims(now, 'admin'))}` }, 401],
    ]);
    const admin = await signJwt(claims(now, 'admin'), keys.rsa.privateKey, 'RS256');
    expect((await call(`${url}/plugins/web/items`, { method: 'DELETE', token: admin })).status).toBe(204);
    expect((await call(`${url}/admin/v1/whoami`, { token: admin })).body).toMatchObject({ kind: 'jwt', subject: 'alice', scopes: ['read', 'operate', 'admin'] });
  });
});
