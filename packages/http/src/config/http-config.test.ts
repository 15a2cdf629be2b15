/**
 * `services.http` as `xcore validate` and boot see it: defaults, positioned problems, secrets kept
 * out of messages, and the files checked at boot.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigInvalidError, parseConfigText } from '@xcore/core';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../auth/token-auth.js';
import { createHttpServer, httpService } from '../service/http-definition.js';
import type { HttpConfig } from './http-config.js';

const FILE = '/app/xcore.yaml';

function load(section: string, env: Record<string, string> = {}, file = FILE) {
  return parseConfigText(`services:\n  http:\n${section.replace(/^/gm, '    ')}\n`, file, { env, services: [httpService] });
}

function http(section: string, env: Record<string, string> = {}): HttpConfig {
  return load(section, env).config.services.http as HttpConfig;
}

function problems(section: string, env: Record<string, string> = {}, file = FILE): string {
  try {
    load(section, env, file);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigInvalidError);
    return (error as Error).message;
  }
  throw new Error('the config was accepted');
}

describe('services.http config', () => {
  it('defaults to a disabled server on 127.0.0.1:8080 with no credential accepted', () => {
    expect(http('enabled: false')).toEqual({
      enabled: false,
      host: '127.0.0.1',
      port: 8080,
      basePath: '',
      bodyLimit: 1024 * 1024,
      trustProxy: false,
      auth: { tokens: [] },
      rateLimit: { failures: 10, window: 60_000, maxClients: 10_000 },
      dashboard: { enabled: true, sessionTtl: 8 * 3_600_000, idleTimeout: 3_600_000, maxSessions: 10_000 },
      metrics: { enabled: true, auth: 'read' },
    });
  });

  it('reads sizes, durations, a base path with a trailing slash and trustProxy forms', () => {
    const config = http('basePath: /ops/\nbodyLimit: 512kb\ntrustProxy: [10.0.0.0/8, "::1", loopback]\nrateLimit: { window: 5m }');
    expect(config).toMatchObject({ basePath: '/ops', bodyLimit: 512 * 1024, trustProxy: ['10.0.0.0/8', '::1', 'loopback'], rateLimit: { window: 300_000 } });
    expect(http('trustProxy: 2').trustProxy).toBe(2);
  });

  it('refuses auth none unless the host is a loopback address, at the auth line', () => {
    expect(http('host: localhost\nauth: none').auth).toBe('none');
    expect(http('host: "::1"\nauth: none').auth).toBe('none');
    const message = problems('host: 0.0.0.0\nauth: none');
    expect(message).toContain(`${FILE}:4:11`);
    expect(message).toContain('services.http.auth: auth "none" is only allowed when host is a loopback address');
  });

  it('never prints a token or secret in a config error, only its length', () => {
    const message = problems(
      'auth:\n  tokens:\n    - { id: a, token: "short-secret", scopes: [read] }\n    - { id: b, token: "sha256:XYZ-not-hex", scopes: [read] }\n  jwt: { secret: "${JWT}", issuer: i, audience: a }',
      { JWT: 'tiny-hs-secret' },
    );
    expect(message).not.toContain('short-secret');
    expect(message).not.toContain('XYZ-not-hex');
    expect(message).not.toContain('tiny-hs-secret');
    expect(message).toContain('services.http.auth.tokens[0].token (token "a")');
    expect(message).toContain('this one has 12');
    expect(message).toContain('64 lowercase hex digits');
    expect(message).toContain('HS256 secret of at least 32 characters; this one has 14');
    const spaced = problems('auth:\n  tokens:\n    - { id: a, token: "has spaces and # signs in it", scopes: [read] }');
    expect(spaced).toContain('only letters, digits and -._~+/');
    expect(spaced).not.toContain('has spaces');
  });

  it('refuses two tokens with the same id or the same value (a plain token and its digest are the same)', () => {
    const plain = 'a-plain-token-0123456789';
    const message = problems(
      `auth:\n  tokens:\n    - { id: a, token: "${plain}", scopes: [read] }\n    - { id: a, token: "sha256:${sha256Hex(plain)}", scopes: [admin] }`,
    );
    expect(message).toContain('duplicate token id "a"');
    expect(message).toContain('the same token as "a"');
  });

  it('refuses trustProxy true and entries that are not addresses', () => {
    expect(problems('trustProxy: true')).toContain('`true` would trust any X-Forwarded-For');
    expect(problems('trustProxy: [10.0.0.0/33, proxy.local]')).toMatch(/trustProxy\[0\].*prefix length[\s\S]*trustProxy\[1\].*not an IPv4 or IPv6 address/);
  });

  it('asks for exactly one JWT key source and algorithms that fit it', () => {
    expect(problems('auth:\n  jwt: { issuer: i, audience: a }')).toContain('give one key source');
    expect(problems('auth:\n  jwt: { secret: "0123456789abcdef0123456789abcdef", jwks: ./k.json, issuer: i, audience: a }')).toContain('not secret and jwks');
    expect(problems('auth:\n  jwt: { publicKey: ./k.pem, algorithms: [HS256], issuer: i, audience: a }')).toContain('HS256 cannot be used with publicKey');
    expect(problems('auth:\n  jwt: { secret: "0123456789abcdef0123456789abcdef", audience: a }')).toContain('services.http.auth.jwt.issuer');
  });
});

describe('files checked at boot', () => {
  const dir = mkdtempSync(join(tmpdir(), 'xcore-http-files-'));
  const file = join(dir, 'xcore.yaml');
  const boot = (section: string) => {
    const loaded = load(section, {}, file);
    return createHttpServer({ config: loaded.config.services.http as HttpConfig, logger: pino({ level: 'silent' }), configFile: file, loaded });
  };

  it('reports missing TLS and key files at the line naming them, all at once', () => {
    let message = '';
    try {
      boot('tls:\n  cert: ./missing.crt\n  key: ./missing.key\nauth:\n  jwt: { publicKey: ./nokey.pem, issuer: i, audience: a }');
    } catch (error) {
      expect(error).toMatchObject({ code: 'XCORE_ERR_CONFIG_INVALID' });
      message = (error as Error).message;
    }
    expect(message).toContain(`${file}:4:13  services.http.tls.cert: expected a readable PEM certificate file, found ${join(dir, 'missing.crt')}: no such file`);
    expect(message).toContain(`${file}:5:12  services.http.tls.key`);
    expect(message).toContain(`${file}:7:25  services.http.auth.jwt.publicKey`);
  });

  it('refuses a private key given as the JWT public key, and a JWKS with a symmetric key', () => {
    writeFileSync(join(dir, 'private.pem'), '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----\n');
    writeFileSync(join(dir, 'oct.json'), JSON.stringify({ keys: [{ kty: 'oct', k: 'c2VjcmV0' }] }));
    expect(() => boot('auth:\n  jwt: { publicKey: ./private.pem, issuer: i, audience: a }')).toThrow(/a private key \(give the public one/);
    expect(() => boot('auth:\n  jwt: { jwks: ./oct.json, issuer: i, audience: a }')).toThrow(/keys\[0\] is not an RSA or EC public key/);
  });
});
