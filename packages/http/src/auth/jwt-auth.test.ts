/**
 * JWT verification: what is accepted, what is refused and why, for each key source.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigFileReader } from '../config/config-files.js';
import { jwtConfigSchema } from '../config/http-config.js';
import { JwtVerifier } from './jwt-auth.js';
import { loadJwtKeys } from './jwt-keys.js';
import { AUDIENCE, claims, hmacJwt, HS_SECRET, hsJwt, ISSUER, keyFiles, noneJwt, seconds, signJwt, type KeyFiles } from './jwt.fixtures.js';

const NOW = Date.parse('2026-06-01T12:00:00Z');

function verifier(section: Record<string, unknown>, now = NOW): JwtVerifier {
  const config = jwtConfigSchema.parse({ issuer: ISSUER, audience: AUDIENCE, ...section });
  const files = new ConfigFileReader({ configFile: '' });
  const keys = loadJwtKeys(config, files);
  files.throwIfAny();
  return new JwtVerifier(keys!, { issuer: ISSUER, audience: AUDIENCE, clockSkewMs: config.clockSkew, scopesClaim: config.scopesClaim, scopePrefix: config.scopePrefix, now: () => now });
}

async function refusal(v: JwtVerifier, token: string): Promise<string> {
  try {
    await v.verify(token);
  } catch (error) {
    expect(error).toMatchObject({ code: 'XCORE_ERR_HTTP_UNAUTHENTICATED', status: 401, reason: 'invalid_token' });
    return (error as Error).message;
  }
  throw new Error('the token was accepted');
}

describe('JwtVerifier with an HS256 secret', () => {
  const hs = verifier({ secret: HS_SECRET });

  it('accepts a valid token and reads subject, scopes and expiry', async () => {
    const jwt = await hsJwt(claims(NOW, 'read operate openid'));
    expect(await hs.verify(jwt)).toEqual({ subject: 'alice', scopes: ['read', 'operate'], expiresAt: new Date((seconds(NOW) + 600) * 1000) });
  });

  it.each([
    ['expired', { exp: seconds(NOW) - 60 }, 'expired'],
    ['not valid yet', { nbf: seconds(NOW) + 120 }, 'not valid yet'],
    ['wrong issuer', { iss: 'https://evil.test' }, 'wrong issuer'],
    ['wrong audience', { aud: 'someone-else' }, 'audience'],
    ['no exp', { exp: undefined }, '"exp"'],
    ['no sub', { sub: undefined }, '"sub"'],
  ])('refuses a token that is %s', async (_name, override, words) => {
    const payload = { ...claims(NOW), ...override };
    for (const key of Object.keys(payload) as (keyof typeof payload)[]) if (payload[key] === undefined) delete payload[key];
    expect(await refusal(hs, await hsJwt(payload))).toContain(words);
  });

  it('applies the clock skew to exp and nbf', async () => {
    const skewed = verifier({ secret: HS_SECRET, clockSkew: '30s' });
    await expect(skewed.verify(await hsJwt(claims(NOW, 'read', { exp: seconds(NOW) - 20 })))).resolves.toMatchObject({ subject: 'alice' });
    await expect(skewed.verify(await hsJwt(claims(NOW, 'read', { nbf: seconds(NOW) + 20 })))).resolves.toMatchObject({ subject: 'alice' });
    expect(await refusal(skewed, await hsJwt(claims(NOW, 'read', { exp: seconds(NOW) - 40 })))).toContain('expired');
  });

  it('refuses alg none, another secret and a tampered payload', async () => {
    expect(await refusal(hs, noneJwt(claims(NOW, 'admin')))).toMatch(/algorithm|malformed/);
    expect(await refusal(hs, await signJwt(claims(NOW), new TextEncoder().encode(`${HS_SECRET}-other`), 'HS256'))).toContain('signature');
    const [head, , sig] = (await hsJwt(claims(NOW, 'read'))).split('.');
    const forged = `${head}.${Buffer.from(JSON.stringify(claims(NOW, 'admin'))).toString('base64url')}.${sig}`;
    expect(await refusal(hs, forged)).toContain('signature');
  });

  it('reads scopes from a configured claim, as a list, with a prefix', async () => {
    const custom = verifier({ secret: HS_SECRET, scopesClaim: 'permissions', scopePrefix: 'xcore:' });
    const jwt = await hsJwt(claims(NOW, 'admin', { permissions: ['xcore:operate', 'read', 'xcore:bogus', 7] }));
    expect((await custom.verify(jwt)).scopes).toEqual(['operate']);
  });
});

describe('JwtVerifier with public keys', () => {
  let keys: KeyFiles;
  beforeAll(async () => {
    keys = await keyFiles();
  });

  it('verifies RS256 with an RSA PEM and refuses an HS256 token keyed with that PEM (algorithm confusion)', async () => {
    const rs = verifier({ publicKey: keys.rsa.pemFile });
    await expect(rs.verify(await signJwt(claims(NOW), keys.rsa.privateKey, 'RS256'))).resolves.toMatchObject({ subject: 'alice' });
    expect(await refusal(rs, hmacJwt(claims(NOW, 'admin'), keys.rsa.pem))).toContain('algorithm');
    expect(await refusal(rs, await signJwt(claims(NOW), keys.ec.privateKey, 'ES256'))).toContain('algorithm');
  });

  it('verifies ES256 with an EC PEM', async () => {
    const es = verifier({ publicKey: keys.ec.pemFile });
    await expect(es.verify(await signJwt(claims(NOW, 'operate'), keys.ec.privateKey, 'ES256'))).resolves.toMatchObject({ scopes: ['operate'] });
    expect(await refusal(es, hmacJwt(claims(NOW), keys.ec.pem))).toContain('algorithm');
  });

  it('verifies with a local JWKS by kid, and refuses HS256 keyed with a key of the set', async () => {
    const jwks = verifier({ jwks: keys.jwksFile });
    await expect(jwks.verify(await signJwt(claims(NOW), keys.rsa.privateKey, 'RS256', { kid: 'rsa-1' }))).resolves.toMatchObject({ subject: 'alice' });
    await expect(jwks.verify(await signJwt(claims(NOW), keys.ec.privateKey, 'ES256', { kid: 'ec-1' }))).resolves.toMatchObject({ subject: 'alice' });
    expect(await refusal(jwks, hmacJwt(claims(NOW), keys.rsa.pem))).toContain('algorithm');
    expect(await refusal(jwks, noneJwt(claims(NOW)))).toMatch(/algorithm|malformed/);
  });
});
