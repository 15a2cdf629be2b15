/**
 * Bearer tokens from config, kept as SHA-256 digests and compared in constant time.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Scope } from './scopes.js';

/** A configured token as the verifier keeps it: no plain text, only the digest. */
export interface TokenEntry {
  /** The token's id (`services.http.auth.tokens[].id`). */
  readonly id: string;
  /** Scopes it grants, as configured. */
  readonly scopes: readonly Scope[];
  /** SHA-256 of the token. */
  readonly digest: Buffer;
}

/** The SHA-256 digest of `text` (UTF-8) as lowercase hex: what `sha256:<hex>` in config holds. */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * The digest of a configured token: the hex of a `sha256:<hex>` value, else the SHA-256 of the
 * plain token (given through `${ENV}`).
 */
export function configuredDigest(value: string): Buffer {
  if (value.startsWith('sha256:')) return Buffer.from(value.slice('sha256:'.length), 'hex');
  return createHash('sha256').update(value, 'utf8').digest();
}

/**
 * Checks presented bearer tokens against the configured digests.
 *
 * @remarks
 * The presented token is hashed once and compared with every configured digest using
 * `crypto.timingSafeEqual`, without stopping at a match, so the time taken says neither which
 * entry matched nor how much of a digest did. Only digests are kept in memory.
 */
export class TokenVerifier {
  readonly #entries: readonly TokenEntry[];

  constructor(tokens: ReadonlyArray<{ readonly id: string; readonly token: string; readonly scopes: readonly Scope[] }>) {
    this.#entries = tokens.map((t) => Object.freeze({ id: t.id, scopes: Object.freeze([...t.scopes]), digest: configuredDigest(t.token) }));
  }

  /** True when at least one token is configured. */
  get configured(): boolean {
    return this.#entries.length > 0;
  }

  /** The entry whose token was presented, or `undefined`. */
  verify(presented: string): TokenEntry | undefined {
    const digest = createHash('sha256').update(presented, 'utf8').digest();
    let found: TokenEntry | undefined;
    for (const entry of this.#entries) {
      if (timingSafeEqual(digest, entry.digest) && found === undefined) found = entry;
    }
    return found;
  }
}
