/**
 * Dashboard sessions: a signed-in browser holds a random session id in an HttpOnly cookie; the
 * server keeps, in memory, who it is (the identity of the token it signed in with), its CSRF
 * token and when it expires.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Identity } from './access-guard.js';

/** One signed-in browser. */
export interface Session {
  /** Who signed in (the token's or JWT's identity at sign-in). */
  readonly identity: Identity;
  /** The token that write requests must echo in `x-csrf-token`. */
  readonly csrfToken: string;
  /** When it was created, ms since the epoch. */
  readonly createdAt: number;
  /** When it ends whatever happens (creation + `ttlMs`, or the JWT's expiry if sooner). */
  readonly expiresAt: number;
  /** Last use, ms since the epoch (idle expiry counts from here). */
  lastSeen: number;
}

/** Options of a {@link SessionStore}. */
export interface SessionStoreOptions {
  /** Longest life of a session, ms. @defaultValue 8 hours */
  readonly ttlMs?: number;
  /** A session unused this long ends, ms. @defaultValue 1 hour */
  readonly idleMs?: number;
  /** Most sessions held; creating one more ends the least recently used. @defaultValue `10000` */
  readonly maxSessions?: number;
  /** Clock. @defaultValue `Date.now` */
  readonly now?: () => number;
}

/** The cookie holding the session id. */
export const SESSION_COOKIE = 'xcore_session';

/** The key a session is stored under: the SHA-256 of its id (an id is never kept in memory as is). */
function keyOf(id: string): string {
  return createHash('sha256').update(id).digest('base64url');
}

/** True when `a` and `b` are equal, compared in constant time. */
export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * The sessions of one server, in memory (they end with the process: signing in again is enough).
 *
 * @remarks
 * Ids and CSRF tokens are 32 random bytes (base64url). A session ends at its absolute expiry, after
 * `idleMs` without use, on sign-out, or when `maxSessions` is exceeded (least recently used first).
 * Expired sessions are dropped when met and by {@link SessionStore.sweep}.
 */
export class SessionStore {
  readonly #sessions = new Map<string, Session>();
  readonly #ttlMs: number;
  readonly #idleMs: number;
  readonly #max: number;
  readonly #now: () => number;

  constructor(options: SessionStoreOptions = {}) {
    this.#ttlMs = options.ttlMs ?? 8 * 3_600_000;
    this.#idleMs = options.idleMs ?? 3_600_000;
    this.#max = options.maxSessions ?? 10_000;
    this.#now = options.now ?? Date.now;
  }

  /** Sessions held now (expired ones not yet swept included). */
  get size(): number {
    return this.#sessions.size;
  }

  /** Starts a session for `identity`; returns its id (for the cookie) and the session. */
  create(identity: Identity): { id: string; session: Session } {
    const now = this.#now();
    this.sweep();
    const id = randomBytes(32).toString('base64url');
    const jwtEnd = identity.expiresAt === undefined ? Number.POSITIVE_INFINITY : Date.parse(identity.expiresAt);
    const session: Session = { identity, csrfToken: randomBytes(32).toString('base64url'), createdAt: now, expiresAt: Math.min(now + this.#ttlMs, jwtEnd), lastSeen: now };
    this.#sessions.set(keyOf(id), session);
    while (this.#sessions.size > this.#max) {
      const oldest = this.#sessions.keys().next().value;
      if (oldest === undefined) break;
      this.#sessions.delete(oldest);
    }
    return { id, session };
  }

  /** The live session with this id (its idle clock restarted), or `undefined`. */
  get(id: string): Session | undefined {
    const key = keyOf(id);
    const session = this.#sessions.get(key);
    if (session === undefined) return undefined;
    const now = this.#now();
    if (now >= session.expiresAt || now - session.lastSeen >= this.#idleMs) {
      this.#sessions.delete(key);
      return undefined;
    }
    session.lastSeen = now;
    // Re-inserted so the map stays in least-recently-used order.
    this.#sessions.delete(key);
    this.#sessions.set(key, session);
    return session;
  }

  /** Ends a session (sign-out); true when there was one. */
  delete(id: string): boolean {
    return this.#sessions.delete(keyOf(id));
  }

  /** Drops every expired session. */
  sweep(): void {
    const now = this.#now();
    for (const [key, session] of this.#sessions) {
      if (now >= session.expiresAt || now - session.lastSeen >= this.#idleMs) this.#sessions.delete(key);
    }
  }

  /** How long a session lives at most, ms (the cookie's Max-Age). */
  get ttlMs(): number {
    return this.#ttlMs;
  }
}

/** The value of cookie `name` in a `Cookie` header, or `undefined`. */
export function cookieValue(header: string | null | undefined, name: string): string | undefined {
  if (header === null || header === undefined || header.length > 16_384) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
