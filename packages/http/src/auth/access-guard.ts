/**
 * The one place that decides whether a request may call a route: rate limit, credential, scope.
 */
import { HttpCsrfRefusedError, HttpForbiddenError, HttpRateLimitedError, HttpUnauthenticatedError } from '../errors.js';
import type { FailureLimiter } from './failure-limiter.js';
import { looksLikeJwt, type JwtVerifier } from './jwt-auth.js';
import { effectiveScopes, grants, SCOPES, type Scope } from './scopes.js';
import { cookieValue, sameSecret, SESSION_COOKIE, type SessionStore } from './sessions.js';
import type { TokenVerifier } from './token-auth.js';

/** What a route needs: a scope, or nothing (`public`). */
export type RouteAuth = Scope | 'public';

/**
 * Who is calling, as route handlers and audit lines see it.
 *
 * @remarks
 * `kind` says how the caller was identified: a configured `token` (subject = its id), a `jwt`
 * (subject = its `sub`), `none` (development mode: every scope, subject `anonymous`), or
 * `anonymous` (a public route: no credential was checked, no scope).
 */
export interface Identity {
  readonly kind: 'token' | 'jwt' | 'none' | 'anonymous';
  /** Token id, JWT subject, or `anonymous`. */
  readonly subject: string;
  /** Every scope held, implied ones included (`['read', 'operate']` for an operate token). */
  readonly scopes: readonly Scope[];
  /** When a JWT expires (ISO 8601); absent for tokens. */
  readonly expiresAt?: string;
}

/** How credentials are checked: not at all (`none`), or against tokens and/or a JWT verifier. */
export type Credentials = { readonly mode: 'none' } | { readonly mode: 'verify'; readonly tokens: TokenVerifier; readonly jwt?: JwtVerifier };

const ANONYMOUS: Identity = Object.freeze({ kind: 'anonymous', subject: 'anonymous', scopes: Object.freeze([]) });
const DEVELOPMENT: Identity = Object.freeze({ kind: 'none', subject: 'anonymous', scopes: Object.freeze([...SCOPES]) });
/** Longest `Authorization` value read; longer ones are malformed (a JWT of a few KB fits). */
const MAX_AUTHORIZATION_LENGTH = 8192;
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;
const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Header a dashboard write must carry: the session's CSRF token. */
export const CSRF_HEADER = 'x-csrf-token';

/** Options of an {@link AccessGuard} beyond its credentials. */
export interface AccessGuardOptions {
  /** Dashboard sessions: a request without `Authorization` may present a session cookie. @defaultValue none */
  readonly sessions?: SessionStore;
  /** Accept `X-Forwarded-Host` as this server's host when checking `Origin` (behind a trusted proxy). @defaultValue `false` */
  readonly trustForwardedHost?: boolean;
}

/**
 * Admits or refuses requests to protected routes.
 *
 * @remarks
 * For a route needing a scope: a client blocked by the failure limiter gets 429 before its
 * credential is looked at (so guessing stops); a missing, malformed or unknown credential is 401
 * and counts as a failure; a valid one clears the client's failures; a credential without the
 * scope is 403 (not counted). With `auth: none` every request is admitted with every scope.
 * Public routes admit everyone as `anonymous` without reading the header.
 */
export class AccessGuard {
  readonly #credentials: Credentials;
  readonly #limiter: FailureLimiter;
  readonly #now: () => number;
  readonly #sessions: SessionStore | undefined;
  readonly #trustForwardedHost: boolean;

  constructor(credentials: Credentials, limiter: FailureLimiter, now: () => number = Date.now, options: AccessGuardOptions = {}) {
    this.#credentials = credentials;
    this.#limiter = limiter;
    this.#now = now;
    this.#sessions = options.sessions;
    this.#trustForwardedHost = options.trustForwardedHost ?? false;
  }

  /**
   * Who is sending `request` to a route needing `required`: {@link AccessGuard.identify} with its
   * `Authorization` header, or its dashboard session cookie when it has no such header.
   *
   * @remarks
   * Every write request (not GET/HEAD/OPTIONS) is first checked for cross-site forgery, whatever
   * the route's scope or the auth mode: a browser's `Sec-Fetch-Site: cross-site` or `same-site`,
   * or an `Origin` other than this server's, is refused with 403 `XCORE_ERR_HTTP_CSRF_REFUSED`.
   * A write authenticated by a session cookie must also carry the session's CSRF token in
   * `x-csrf-token`. An unknown or expired session is 401 (not counted by the failure limiter: a
   * session id is 256 random bits, and stale tabs are not attackers).
   */
  async identifyRequest(required: RouteAuth, request: Request, client: string, route: string): Promise<Identity> {
    const write = !READ_METHODS.has(request.method);
    if (write) this.#checkSameOrigin(request, route);
    const authorization = request.headers.get('authorization') ?? undefined;
    const sessionId = this.#sessions === undefined || authorization !== undefined ? undefined : cookieValue(request.headers.get('cookie'), SESSION_COOKIE);
    if (sessionId === undefined || this.#credentials.mode === 'none' || required === 'public') return this.identify(required, authorization, client);
    const session = this.#sessions!.get(sessionId);
    if (session === undefined) throw new HttpUnauthenticatedError('invalid_token', 'the dashboard session has expired or was signed out; sign in again');
    if (write && !sameSecret(request.headers.get(CSRF_HEADER) ?? '', session.csrfToken)) {
      throw new HttpCsrfRefusedError(route, `a write with a session cookie must carry the session's ${CSRF_HEADER} header, and this one ${request.headers.has(CSRF_HEADER) ? 'does not match' : 'is missing'}`);
    }
    return session.identity;
  }

  /** Refuses a write that a browser says comes from another site. */
  #checkSameOrigin(request: Request, route: string): void {
    const site = request.headers.get('sec-fetch-site');
    if (site === 'cross-site' || site === 'same-site') throw new HttpCsrfRefusedError(route, `the browser sent it from another site (Sec-Fetch-Site: ${site})`);
    const origin = request.headers.get('origin');
    if (origin === null) return;
    let host: string | undefined;
    try {
      host = origin === 'null' ? undefined : new URL(origin).host;
    } catch {
      host = undefined;
    }
    const own = new URL(request.url).host;
    const forwarded = this.#trustForwardedHost ? request.headers.get('x-forwarded-host')?.split(',')[0]?.trim() : undefined;
    if (host === undefined || (host !== own && host !== forwarded)) {
      throw new HttpCsrfRefusedError(route, `its Origin ${JSON.stringify(origin.slice(0, 200))} is not this server (${own})`);
    }
  }

  /** True when no credential is checked (`auth: none`). */
  get open(): boolean {
    return this.#credentials.mode === 'none';
  }

  /**
   * Who is calling a route that needs `required`, or a thrown 401 or 429 error.
   *
   * @remarks
   * Public routes and `auth: none` admit without reading the header. Follow with
   * {@link AccessGuard.authorize} for the scope: the two steps are apart so that a refused caller
   * is still named in the audit line.
   */
  async identify(required: RouteAuth, authorization: string | undefined, client: string): Promise<Identity> {
    if (this.#credentials.mode === 'none') return DEVELOPMENT;
    if (required === 'public') return ANONYMOUS;
    const wait = this.#limiter.blockedFor(client, this.#now());
    if (wait !== undefined) throw new HttpRateLimitedError(client, wait);
    let identity: Identity;
    try {
      identity = await this.authenticate(authorization);
    } catch (error) {
      this.#limiter.fail(client, this.#now());
      throw error;
    }
    this.#limiter.succeed(client);
    return identity;
  }

  /**
   * Throws a 403 when `identity` lacks `required`.
   *
   * @param route - `METHOD /path` of the route, quoted in the error.
   */
  authorize(identity: Identity, required: RouteAuth, route: string): void {
    if (required === 'public' || grants(identity.scopes, required)) return;
    throw new HttpForbiddenError(route, required, `${identity.kind} "${identity.subject}"`);
  }

  /** Identifies the caller from an `Authorization` header; throws a 401 error when it cannot. */
  async authenticate(authorization: string | undefined): Promise<Identity> {
    if (this.#credentials.mode === 'none') return DEVELOPMENT;
    if (authorization === undefined || authorization === '') throw new HttpUnauthenticatedError(undefined, 'no credential');
    const match = authorization.length > MAX_AUTHORIZATION_LENGTH ? null : BEARER.exec(authorization);
    if (match === null) throw new HttpUnauthenticatedError('invalid_request', 'the Authorization header is not "Bearer <token>"');
    const token = match[1]!;
    const { tokens, jwt } = this.#credentials;
    if (jwt !== undefined && looksLikeJwt(token)) {
      const verified = await jwt.verify(token);
      return { kind: 'jwt', subject: verified.subject, scopes: effectiveScopes(verified.scopes), expiresAt: verified.expiresAt.toISOString() };
    }
    const entry = tokens.verify(token);
    if (entry === undefined) throw new HttpUnauthenticatedError('invalid_token', 'the token is not known');
    return { kind: 'token', subject: entry.id, scopes: effectiveScopes(entry.scopes) };
  }
}
