/**
 * The key material JWTs are verified with, built at boot from `services.http.auth.jwt`: an HS256
 * secret, a PEM public key file or a local JWKS file, and the algorithms each may verify.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { createLocalJWKSet, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import type { ConfigFileReader } from '../config/config-files.js';
import type { JwtConfig } from '../config/http-config.js';

/** An accepted JWT algorithm. */
export type JwtAlgorithm = 'HS256' | 'RS256' | 'ES256';

/** What verification needs: the key (or key set) and the algorithms it may verify. */
export interface JwtKeys {
  /** The secret bytes, the public key, or a JWKS lookup by the token's header. */
  readonly key: Uint8Array | KeyObject | JWTVerifyGetKey;
  /** Algorithms accepted: only those the key type can verify, so HS/RS confusion is impossible. */
  readonly algorithms: readonly JwtAlgorithm[];
}

/**
 * Builds the key material, or records positioned problems in `files` and returns `undefined`.
 *
 * @remarks
 * A PEM file must hold a public key (or a certificate): RSA of at least 2048 bits for RS256, or EC
 * P-256 for ES256; a private key is refused (the server never needs one). A JWKS file must be
 * `{"keys": [...]}` of RSA or EC public keys; symmetric (`oct`) and private keys are refused, so
 * a key set can never turn an HS256 token into a valid one.
 */
export function loadJwtKeys(config: JwtConfig, files: ConfigFileReader): JwtKeys | undefined {
  if (config.secret !== undefined) return { key: new TextEncoder().encode(config.secret), algorithms: ['HS256'] };
  if (config.publicKey !== undefined) return loadPem(config, config.publicKey, files);
  if (config.jwks !== undefined) return loadJwks(config, config.jwks, files);
  return undefined;
}

function loadPem(config: JwtConfig, file: string, files: ConfigFileReader): JwtKeys | undefined {
  const path = ['auth', 'jwt', 'publicKey'];
  const expected = 'a PEM file with an RSA (2048 bits or more) or EC P-256 public key';
  const text = files.read(path, file, expected);
  if (text === undefined) return undefined;
  if (text.includes('PRIVATE KEY')) {
    files.problem(path, expected, `${files.resolve(file)}: a private key (give the public one: openssl pkey -in key.pem -pubout)`);
    return undefined;
  }
  let key: KeyObject;
  try {
    key = createPublicKey(text);
  } catch (error) {
    files.problem(path, expected, `${files.resolve(file)}: ${(error as Error).message}`);
    return undefined;
  }
  const { asymmetricKeyType: type, asymmetricKeyDetails: details } = key;
  const own: JwtAlgorithm | undefined =
    type === 'rsa' && (details?.modulusLength ?? 0) >= 2048 ? 'RS256' : type === 'ec' && details?.namedCurve === 'prime256v1' ? 'ES256' : undefined;
  if (own === undefined) {
    const what = type === 'rsa' ? `an RSA key of ${details?.modulusLength ?? '?'} bits` : `a ${type ?? 'unknown'} key${details?.namedCurve ? ` on ${details.namedCurve}` : ''}`;
    files.problem(path, expected, `${files.resolve(file)}: ${what}`);
    return undefined;
  }
  if (config.algorithms !== undefined && !config.algorithms.includes(own)) {
    files.problem(['auth', 'jwt', 'algorithms'], `a list including ${own} (the algorithm of the key in ${file})`, JSON.stringify(config.algorithms));
    return undefined;
  }
  return { key, algorithms: [own] };
}

function loadJwks(config: JwtConfig, file: string, files: ConfigFileReader): JwtKeys | undefined {
  const path = ['auth', 'jwt', 'jwks'];
  const expected = 'a JWKS file: {"keys": [...]} of RSA or EC public keys';
  const text = files.read(path, file, expected);
  if (text === undefined) return undefined;
  let jwks: JSONWebKeySet;
  try {
    jwks = JSON.parse(text) as JSONWebKeySet;
  } catch (error) {
    files.problem(path, expected, `${files.resolve(file)}: not JSON (${(error as Error).message})`);
    return undefined;
  }
  const keys: unknown = (jwks as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys) || keys.length === 0) {
    files.problem(path, expected, `${files.resolve(file)}: no "keys" list`);
    return undefined;
  }
  const bad = keys.findIndex((k: { kty?: unknown; d?: unknown } | null) => k === null || typeof k !== 'object' || (k.kty !== 'RSA' && k.kty !== 'EC') || k.d !== undefined);
  if (bad >= 0) {
    files.problem(path, expected, `${files.resolve(file)}: keys[${bad}] is not an RSA or EC public key (symmetric and private keys are refused)`);
    return undefined;
  }
  try {
    return { key: createLocalJWKSet(jwks), algorithms: config.algorithms ?? ['RS256', 'ES256'] };
  } catch (error) {
    files.problem(path, expected, `${files.resolve(file)}: ${(error as Error).message}`);
    return undefined;
  }
}
