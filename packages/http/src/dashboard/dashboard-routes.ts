/**
 * The dashboard's routes, outside the admin API: the page at `<basePath>/admin/`, its assets, and
 * the session endpoints that exchange a token for an HttpOnly, SameSite=Strict cookie.
 */
import { DASHBOARD_CSP, DashboardAssets } from '@xcore/dashboard';
import { z } from 'zod';
import type { AccessGuard, Identity } from '../auth/access-guard.js';
import { cookieValue, SESSION_COOKIE, type SessionStore } from '../auth/sessions.js';
import { HttpNotFoundError } from '../errors.js';
import { jsonResponse } from '../routes/error-response.js';
import { defineRoute, type AnyRouteDefinition } from '../routes/route-definition.js';

/** What the dashboard routes need of the server. */
export interface DashboardDeps {
  readonly guard: AccessGuard;
  readonly sessions: SessionStore;
  /** `services.http.basePath`. */
  readonly basePath: string;
  /** True when serving HTTPS (the cookie is then `Secure`). */
  tls(): boolean;
  /** The built assets (read on first use). */
  assets(): DashboardAssets;
}

/** Headers of the page: the strict CSP and the usual hardening. */
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': DASHBOARD_CSP,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=()',
  'cache-control': 'no-store',
};

const sessionSchema = z.object({
  signedIn: z.boolean(),
  auth: z.enum(['none', 'verify']).describe('`none`: the server checks no credential (development), no sign-in needed.'),
  identity: z.object({ kind: z.string(), subject: z.string(), scopes: z.array(z.string()), expiresAt: z.string().optional() }).nullable(),
  csrfToken: z.string().nullable().describe('Send it as `x-csrf-token` with every write made with the session cookie.'),
  expiresAt: z.string().nullable(),
});

/** The identity as JSON (a copy, scopes as a plain list). */
function identityJson(identity: Identity): z.output<typeof sessionSchema>['identity'] {
  return { kind: identity.kind, subject: identity.subject, scopes: [...identity.scopes], ...(identity.expiresAt === undefined ? {} : { expiresAt: identity.expiresAt }) };
}

/** Every dashboard route, mounted by the server on its own table under the base path. */
export function dashboardRoutes(deps: DashboardDeps): AnyRouteDefinition[] {
  const cookiePath = `${deps.basePath}/admin`;
  const cookie = (value: string, maxAgeSeconds: number): string =>
    `${SESSION_COOKIE}=${value}; Path=${cookiePath}; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}${deps.tls() ? '; Secure' : ''}`;
  const page = defineRoute({
    method: 'GET',
    path: '/admin',
    auth: 'public',
    summary: 'The dashboard page',
    handler: () => new Response(deps.assets().page(deps.basePath), { status: 200, headers: PAGE_HEADERS }),
  });
  const asset = defineRoute({
    method: 'GET',
    path: '/admin/assets/:file',
    auth: 'public',
    summary: 'A file of the dashboard (script, stylesheet, icon)',
    params: z.object({ file: z.string().min(1).max(200) }),
    handler: ({ params, request }) => {
      const file = deps.assets().file(params.file);
      if (file === undefined) throw new HttpNotFoundError('GET', `${cookiePath}/assets/${params.file}`);
      const headers = {
        'content-type': file.contentType,
        etag: file.etag,
        'cache-control': file.immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
        'x-content-type-options': 'nosniff',
        'cross-origin-resource-policy': 'same-origin',
      };
      if (request.headers.get('if-none-match') === file.etag) return new Response(null, { status: 304, headers });
      return new Response(file.body as Uint8Array<ArrayBuffer>, { status: 200, headers });
    },
  });
  const current = defineRoute({
    method: 'GET',
    path: '/admin/session',
    auth: 'public',
    summary: 'The dashboard session of this browser, with its CSRF token',
    response: sessionSchema,
    handler: ({ request, requestId }) => {
      if (deps.guard.open) {
        return jsonResponse({ signedIn: true, auth: 'none', identity: identityJson({ kind: 'none', subject: 'anonymous', scopes: ['read', 'operate', 'admin'] }), csrfToken: null, expiresAt: null }, 200, requestId);
      }
      const id = cookieValue(request.headers.get('cookie'), SESSION_COOKIE);
      const session = id === undefined ? undefined : deps.sessions.get(id);
      if (session === undefined) return jsonResponse({ signedIn: false, auth: 'verify', identity: null, csrfToken: null, expiresAt: null }, 200, requestId);
      return jsonResponse({ signedIn: true, auth: 'verify', identity: identityJson(session.identity), csrfToken: session.csrfToken, expiresAt: new Date(session.expiresAt).toISOString() }, 200, requestId);
    },
  });
  const signIn = defineRoute({
    method: 'POST',
    path: '/admin/session',
    auth: 'public',
    summary: 'Sign in: exchange a token or JWT for a session cookie',
    body: z.strictObject({ token: z.string().min(1).max(8192) }),
    response: sessionSchema,
    audit: { action: 'dashboard.sign_in' },
    handler: async ({ body, client, requestId }) => {
      // Through the guard: the failure limiter counts bad tokens as for any other route.
      const identity = await deps.guard.identify('read', `Bearer ${body.token}`, client);
      const { id, session } = deps.sessions.create(identity);
      const maxAge = Math.max(1, Math.floor((session.expiresAt - session.createdAt) / 1000));
      return jsonResponse(
        { signedIn: true, auth: deps.guard.open ? 'none' : 'verify', identity: identityJson(identity), csrfToken: session.csrfToken, expiresAt: new Date(session.expiresAt).toISOString() },
        200,
        requestId,
        { 'set-cookie': cookie(id, maxAge) },
      );
    },
  });
  const signOut = defineRoute({
    method: 'DELETE',
    path: '/admin/session',
    auth: 'read',
    summary: 'Sign out: end the session and clear its cookie',
    audit: { action: 'dashboard.sign_out' },
    handler: ({ request }) => {
      const id = cookieValue(request.headers.get('cookie'), SESSION_COOKIE);
      if (id !== undefined) deps.sessions.delete(id);
      return new Response(null, { status: 204, headers: { 'set-cookie': cookie('', 0), 'cache-control': 'no-store' } });
    },
  });
  return [page, asset, current, signIn, signOut] as AnyRouteDefinition[];
}
