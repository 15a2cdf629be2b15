/**
 * JWT bearer tokens, verified with jose: signature, algorithm, issuer, audience, expiry and
 * not-before with a clock skew; scopes from a configurable claim.
 */
import { errors, jwtVerify, type JWTPayload } from 'jose';
import { HttpUnauthenticatedError } from '../errors.js';
import type { JwtKeys } from './jwt-keys.js';
import { isScope, type Scope } from './scopes.js';

/** Claim checks of {@link JwtVerifier}. */
export interface JwtVerifierOptions {
  /** Required `iss`. */
  readonly issuer: string;
  /** Required audience (the token's `aud` must contain it). */
  readonly audience: string;
  /** Tolerance for `exp` and `nbf`, ms. */
  readonly clockSkewMs: number;
  /** Claim holding the scopes (a space-separated string or a list). */
  readonly scopesClaim: string;
  /** Prefix of xcore's scopes in that claim; values without it are ignored. */
  readonly scopePrefix: string;
  /** The clock, for tests. @defaultValue `Date.now` */
  readonly now?: () => number;
}

/** A verified JWT: who, what it grants, until when. */
export interface VerifiedJwt {
  /** The `sub` claim. */
  readonly subject: string;
  /** xcore scopes found in the scopes claim, as granted (implied ones not added). */
  readonly scopes: readonly Scope[];
  /** `exp`, as a date. */
  readonly expiresAt: Date;
}

/** True when `text` has the shape of a compact JWS (three base64url parts; the last may be empty). */
export function looksLikeJwt(text: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(text);
}

/**
 * Verifies JWTs against one key source.
 *
 * @remarks
 * Only the algorithms the key can verify are accepted (`HS256` for a secret, the key's own for a
 * PEM key, `RS256`/`ES256` for a JWKS), so `alg: none` and an HS256 token signed with the public
 * key as its secret (algorithm confusion) are refused. `exp` and `sub` are required. Every failure
 * is a 401 (`XCORE_ERR_HTTP_UNAUTHENTICATED`, `invalid_token`) saying which check failed.
 */
export class JwtVerifier {
  readonly #keys: JwtKeys;
  readonly #options: JwtVerifierOptions;

  constructor(keys: JwtKeys, options: JwtVerifierOptions) {
    this.#keys = keys;
    this.#options = options;
  }

  /** Verifies `token`; throws `XCORE_ERR_HTTP_UNAUTHENTICATED` when any check fails. */
  async verify(token: string): Promise<VerifiedJwt> {
    const { issuer, audience, clockSkewMs } = this.#options;
    const now = this.#options.now?.();
    let payload: JWTPayload;
    try {
      const verifyOptions = {
        algorithms: [...this.#keys.algorithms],
        issuer,
        audience,
        clockTolerance: Math.ceil(clockSkewMs / 1000),
        requiredClaims: ['exp', 'sub'],
        ...(now === undefined ? {} : { currentDate: new Date(now) }),
      };
      const key = this.#keys.key;
      const result = typeof key === 'function' ? await jwtVerify(token, key, verifyOptions) : await jwtVerify(token, key, verifyOptions);
      payload = result.payload;
    } catch (error) {
      throw new HttpUnauthenticatedError('invalid_token', describeFailure(error));
    }
    if (typeof payload.sub !== 'string' || payload.sub === '') throw new HttpUnauthenticatedError('invalid_token', 'the JWT has no "sub" claim');
    return { subject: payload.sub, scopes: this.#scopes(payload), expiresAt: new Date((payload.exp ?? 0) * 1000) };
  }

  #scopes(payload: JWTPayload): Scope[] {
    const { scopesClaim, scopePrefix } = this.#options;
    const raw = payload[scopesClaim];
    const values = typeof raw === 'string' ? raw.split(' ') : Array.isArray(raw) ? raw.filter((v): v is string => typeof v === 'string') : [];
    const scopes = values.filter((v) => v.startsWith(scopePrefix)).map((v) => v.slice(scopePrefix.length));
    return [...new Set(scopes.filter(isScope))];
  }
}

/** Why jose refused a token, in words a client can act on (no key material). */
function describeFailure(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'the JWT has expired';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'nbf') return 'the JWT is not valid yet (nbf is in the future)';
    if (error.claim === 'iss') return 'the JWT has the wrong issuer';
    if (error.claim === 'aud') return 'the JWT is not meant for this audience';
    return `the JWT's "${error.claim}" claim is missing or invalid`;
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return 'the JWT is signed with an algorithm this server does not accept';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'the JWT signature does not verify';
  if (error instanceof errors.JWKSNoMatchingKey) return 'no key of the key set matches the JWT';
  if (error instanceof errors.JWKSMultipleMatchingKeys) return 'several keys of the key set match the JWT; it needs a "kid" header';
  if (error instanceof errors.JOSENotSupported) return 'the JWT uses an unsupported algorithm or key';
  return 'the JWT is malformed';
}
