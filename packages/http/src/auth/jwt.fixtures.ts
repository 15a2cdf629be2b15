/**
 * Test fixtures: JWTs signed (or forged) with jose, and key files for the verifier.
 */
import { createHmac } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from 'jose';

/** The HS256 secret the fixtures share (32+ characters). */
export const HS_SECRET = 'fixture-hs256-secret-0123456789abcdef';
export const ISSUER = 'https://id.example.test';
export const AUDIENCE = 'xcore-admin';

/** Unix seconds. */
export const seconds = (ms: number): number => Math.floor(ms / 1000);

/** Claims of a valid token at `now` for `scope`, to override per case. */
export function claims(now: number, scope = 'read', extra: JWTPayload = {}): JWTPayload {
  return { iss: ISSUER, aud: AUDIENCE, sub: 'alice', scope, iat: seconds(now), exp: seconds(now) + 600, ...extra };
}

/** A JWT signed with `key` (HS256 secret bytes or a private key) and `alg`. */
export async function signJwt(payload: JWTPayload, key: Uint8Array | CryptoKey, alg: 'HS256' | 'RS256' | 'ES256', header: Record<string, unknown> = {}): Promise<string> {
  return new SignJWT(payload).setProtectedHeader({ alg, typ: 'JWT', ...header }).sign(key);
}

/** An HS256 JWT with the shared secret. */
export function hsJwt(payload: JWTPayload): Promise<string> {
  return signJwt(payload, new TextEncoder().encode(HS_SECRET), 'HS256');
}

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** An unsecured JWT (`alg: none`, empty signature). */
export function noneJwt(payload: JWTPayload): string {
  return `${b64({ alg: 'none', typ: 'JWT' })}.${b64(payload)}.`;
}

/**
 * An HS256 JWT whose HMAC key is `secretText` (e.g. a server's public key PEM): what an attacker
 * forges against a verifier that would take an RSA public key as an HMAC secret.
 */
export function hmacJwt(payload: JWTPayload, secretText: string): string {
  const input = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(payload)}`;
  return `${input}.${createHmac('sha256', secretText).update(input).digest('base64url')}`;
}

/** Key pairs with their public key as PEM and JWK, and a temp folder holding them as files. */
export interface KeyFiles {
  readonly dir: string;
  readonly rsa: { readonly privateKey: CryptoKey; readonly pem: string; readonly pemFile: string };
  readonly ec: { readonly privateKey: CryptoKey; readonly pem: string; readonly pemFile: string };
  /** A JWKS file with both public keys (`kid` "rsa-1" and "ec-1"). */
  readonly jwksFile: string;
}

/** Generates an RSA 2048 and an EC P-256 key pair and writes their public keys to files. */
export async function keyFiles(): Promise<KeyFiles> {
  const dir = mkdtempSync(join(tmpdir(), 'xcore-jwt-'));
  const rsa = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
  const ec = await generateKeyPair('ES256', { extractable: true });
  const rsaPem = await exportSPKI(rsa.publicKey);
  const ecPem = await exportSPKI(ec.publicKey);
  writeFileSync(join(dir, 'rsa.pem'), rsaPem);
  writeFileSync(join(dir, 'ec.pem'), ecPem);
  const jwks = { keys: [{ ...(await exportJWK(rsa.publicKey)), kid: 'rsa-1', alg: 'RS256', use: 'sig' }, { ...(await exportJWK(ec.publicKey)), kid: 'ec-1', alg: 'ES256', use: 'sig' }] };
  writeFileSync(join(dir, 'jwks.json'), JSON.stringify(jwks));
  return {
    dir,
    rsa: { privateKey: rsa.privateKey, pem: rsaPem, pemFile: join(dir, 'rsa.pem') },
    ec: { privateKey: ec.privateKey, pem: ecPem, pemFile: join(dir, 'ec.pem') },
    jwksFile: join(dir, 'jwks.json'),
  };
}
