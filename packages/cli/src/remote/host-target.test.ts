import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveHostTarget } from './host-target.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A folder with an xcore.yaml whose services.http is `http` (YAML lines, indented under it). */
function app(http: string, extra = ''): string {
  const dir = mkdtempSync(join(tmpdir(), 'xcore-target-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'xcore.yaml'), `app:\n  name: t\n${extra}services:\n  http:\n${http}`);
  return dir;
}

const resolve = (cwd: string, options: { url?: string; token?: string; config?: string; env?: Record<string, string> } = {}) =>
  resolveHostTarget({ url: options.url, token: options.token, config: options.config, cwd, env: options.env ?? {} });

describe('resolveHostTarget', () => {
  it('takes --url over XCORE_URL over xcore.yaml, and --token over XCORE_TOKEN', async () => {
    const dir = app('    enabled: true\n    port: 9001\n');
    const env = { XCORE_URL: 'http://10.0.0.5:7000/base/', XCORE_TOKEN: 'from-env' };
    expect(await resolve(dir, { url: 'https://ops.example.com/xcore/', token: 'from-flag', env })).toEqual({
      url: 'https://ops.example.com/xcore', source: '--url', token: 'from-flag', tokenSource: '--token',
    });
    expect(await resolve(dir, { env })).toEqual({ url: 'http://10.0.0.5:7000/base', source: 'XCORE_URL', token: 'from-env', tokenSource: 'XCORE_TOKEN' });
    expect(await resolve(dir)).toEqual({ url: 'http://127.0.0.1:9001', source: `services.http in ${join(dir, 'xcore.yaml')}`, tokenSource: 'no token' });
  });

  it('reads services.http of the nearest xcore.yaml upwards: host, port, basePath, a wildcard host as this machine', async () => {
    const dir = app('    enabled: true\n    host: 0.0.0.0\n    port: ${PORT:-9002}\n    basePath: /ops/\n');
    const nested = join(dir, 'src', 'jobs');
    mkdirSync(nested, { recursive: true });
    expect((await resolve(nested)).url).toBe('http://127.0.0.1:9002/ops');
    expect((await resolve(nested, { env: { PORT: '9100' } })).url).toBe('http://127.0.0.1:9100/ops');
    expect((await resolve(app('    enabled: true\n    host: "::"\n    port: 9003\n'))).url).toBe('http://[::1]:9003');
    expect((await resolve(app('    enabled: true\n    host: localhost\n'))).url).toBe('http://localhost:8080');
  });

  it('with tls it is https and trusts the server\'s own certificate', async () => {
    const dir = app('    enabled: true\n    port: 9004\n    tls: { cert: ./certs/server.crt, key: ./certs/server.key }\n');
    mkdirSync(join(dir, 'certs'));
    writeFileSync(join(dir, 'certs', 'server.crt'), '-----BEGIN CERTIFICATE-----\nfixture\n-----END CERTIFICATE-----\n');
    const target = await resolve(dir);
    expect(target.url).toBe('https://127.0.0.1:9004');
    expect(target.ca?.at(-1)).toContain('fixture');
    expect(target.ca!.length).toBeGreaterThan(1);
  });

  it('ignores the rest of the file (an unset ${VAR} in a token does not stop it)', async () => {
    const dir = app('    enabled: true\n    port: 9005\n    auth:\n      tokens:\n        - { id: ci, token: "${UNSET_CI_TOKEN}", scopes: [read] }\n', 'plugins:\n  directory: ${UNSET_DIR}\n');
    expect((await resolve(dir)).url).toBe('http://127.0.0.1:9005');
  });

  it('refuses an address it cannot use, saying why and what to do', async () => {
    await expect(resolve(app('    port: 9006\n'))).rejects.toMatchObject({ code: 'XCORE_ERR_CLI_HOST_NOT_CONFIGURED', message: expect.stringContaining('services.http is not enabled in') });
    await expect(resolve(app('    enabled: true\n    port: 0\n'))).rejects.toMatchObject({ code: 'XCORE_ERR_CLI_HOST_NOT_CONFIGURED', message: expect.stringContaining('pass that url with --url') });
    const empty = mkdtempSync(join(tmpdir(), 'xcore-target-none-'));
    dirs.push(empty);
    await expect(resolve(empty)).rejects.toMatchObject({ code: 'XCORE_ERR_CLI_HOST_NOT_CONFIGURED', message: expect.stringContaining(`no xcore.yaml in ${empty}`) });
    await expect(resolve(empty, { config: 'missing.yaml' })).rejects.toMatchObject({ message: expect.stringContaining(`${join(empty, 'missing.yaml')} does not exist`) });
    await expect(resolve(empty, { env: { XCORE_URL: 'ftp://x' } })).rejects.toMatchObject({ code: 'XCORE_ERR_CLI_HOST_NOT_CONFIGURED', message: expect.stringContaining('XCORE_URL "ftp://x"') });
    await expect(resolve(empty, { url: 'http://u:p@h:1' })).rejects.toMatchObject({ code: 'XCORE_ERR_CLI_USAGE', message: expect.stringContaining('carries credentials') });
    await expect(resolve(empty, { url: 'http://h:1', token: 'a b' })).rejects.toMatchObject({ code: 'XCORE_ERR_CLI_USAGE', message: expect.stringContaining('token from --token') });
  });

  it('points at the line of an invalid address key', async () => {
    const dir = app('    enabled: true\n    port: 70000\n');
    await expect(resolve(dir)).rejects.toMatchObject({ code: 'XCORE_ERR_CONFIG_INVALID', message: expect.stringContaining(`${join(dir, 'xcore.yaml')}:6:`) });
    const unset = app('    enabled: true\n    port: ${NO_SUCH_PORT}\n');
    await expect(resolve(unset)).rejects.toMatchObject({ code: 'XCORE_ERR_CONFIG_INVALID', message: expect.stringContaining('NO_SUCH_PORT') });
  });
});
