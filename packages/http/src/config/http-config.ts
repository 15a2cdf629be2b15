/**
 * The zod schema of `services.http` in `xcore.yaml`.
 *
 * @remarks
 * Strict everywhere: an unknown key is an error the config loader points at by line. Secrets
 * (tokens, the HS256 secret) never appear in config error messages: a problem with one reports
 * its length, not its value. Files (TLS, public key, JWKS) are read and checked at boot by the
 * service, with positioned errors; `xcore validate` checks everything else, including that
 * `auth: none` is only allowed on a loopback host.
 */
import { duration } from '@xcore/core';
import { z } from 'zod';
import { SCOPES } from '../auth/scopes.js';
import { configuredDigest } from '../auth/token-auth.js';
import { isLoopbackHost, rangeProblem } from '../net/addresses.js';
import type { TrustProxySetting } from '../net/client-address.js';
import { byteSize } from './byte-size.js';

/** Shortest plain token accepted (in characters): 16 random characters resist guessing. */
export const MIN_TOKEN_LENGTH = 16;
/** Shortest HS256 secret accepted: 32 characters, the 256 bits RFC 7518 asks of an HS256 key. */
export const MIN_HS256_SECRET_LENGTH = 32;

const DIGEST = /^sha256:[0-9a-f]{64}$/;

/** A string whose value a config error must not print: issues report its length instead. */
function secretString(check: (value: string) => string | undefined) {
  return z.string().superRefine((value, ctx) => {
    const problem = check(value);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem, input: `(hidden, ${value.length} characters)` });
  });
}

const tokenValue = secretString((value) => {
  if (value.startsWith('sha256:')) return DIGEST.test(value) ? undefined : 'expected "sha256:" followed by 64 lowercase hex digits (the SHA-256 digest of the token)';
  if (value.length < MIN_TOKEN_LENGTH) return `expected a "sha256:<hex>" digest, or a plain token of at least ${MIN_TOKEN_LENGTH} characters; this one has ${value.length}`;
  if (!/^[A-Za-z0-9\-._~+/]+=*$/.test(value)) return 'a plain token may hold only letters, digits and -._~+/ (then = padding), the characters a bearer token can carry';
  return undefined;
});

/** One bearer token (titled `token`: config problems inside name its id). */
export const tokenConfigSchema = z
  .strictObject({
    id: z
      .string()
      .regex(/^[A-Za-z0-9][\w.@:-]{0,63}$/, 'a token id is 1-64 letters, digits, "_", ".", "@", ":" or "-"')
      .describe('Name of the token: who is calling, in audit lines and `whoami`.'),
    token: tokenValue.describe('`sha256:<64 hex>` digest of the token (preferred), or the token itself through `${ENV}` (at least 16 characters). Never logged.'),
    scopes: z.array(z.enum(SCOPES)).min(1).describe('Scopes the token grants: `read`, `operate` (implies read), `admin` (implies both).'),
  })
  .meta({ title: 'token' });

const JWT_ALGORITHMS = ['HS256', 'RS256', 'ES256'] as const;

/** JWT verification (jose): one key source, issuer, audience, expiry, clock skew, scope claim. */
export const jwtConfigSchema = z
  .strictObject({
    secret: secretString((value) =>
      value.length < MIN_HS256_SECRET_LENGTH ? `expected an HS256 secret of at least ${MIN_HS256_SECRET_LENGTH} characters; this one has ${value.length}` : undefined,
    )
      .optional()
      .describe('Shared HS256 secret (at least 32 characters), given through `${ENV}`. Give one of secret, publicKey, jwks.'),
    publicKey: z.string().min(1).optional().describe('PEM file of the RS256 (RSA) or ES256 (P-256) public key, relative to this file.'),
    jwks: z.string().min(1).optional().describe('Local JWKS file (`{"keys": [...]}`) of RS256/ES256 public keys, relative to this file; tokens pick a key by `kid`.'),
    algorithms: z
      .array(z.enum(JWT_ALGORITHMS))
      .min(1)
      .optional()
      .describe('Accepted `alg` values. Default: HS256 with secret, the key\'s own with publicKey, RS256 and ES256 with jwks. `none` is never accepted.'),
    issuer: z.string().min(1).describe('Required `iss` claim.'),
    audience: z.string().min(1).describe('Required audience: the token\'s `aud` must contain it.'),
    clockSkew: duration().default(30_000).describe('Tolerance when checking `exp` and `nbf`. Default 30s.'),
    scopesClaim: z.string().min(1).default('scope').describe('Claim holding the scopes: a space-separated string or a list. Default "scope".'),
    scopePrefix: z.string().default('').describe('Prefix of xcore\'s scopes in that claim, e.g. "xcore:" for "xcore:read"; other values are ignored. Default "".'),
  })
  .superRefine((jwt, ctx) => {
    const sources = (['secret', 'publicKey', 'jwks'] as const).filter((key) => jwt[key] !== undefined);
    if (sources.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        path: sources.length === 0 ? [] : [sources[1]!],
        message: sources.length === 0 ? 'give one key source: secret (HS256), publicKey (PEM file) or jwks (JWKS file)' : `give one key source, not ${sources.join(' and ')}`,
      });
      return;
    }
    const allowed = sources[0] === 'secret' ? ['HS256'] : ['RS256', 'ES256'];
    (jwt.algorithms ?? []).forEach((alg, i) => {
      if (!allowed.includes(alg)) {
        ctx.addIssue({ code: 'custom', path: ['algorithms', i], message: `${alg} cannot be used with ${sources[0]}: it takes ${allowed.join(' or ')} (mixing them would allow algorithm confusion)` });
      }
    });
  });

/** Bearer tokens and/or JWTs; at least one of them should be configured for protected routes to answer. */
const credentialsSchema = z.strictObject({
  tokens: z.array(tokenConfigSchema).default([]).describe('Bearer tokens. Default [].'),
  jwt: jwtConfigSchema.optional().describe('Accept JWTs as bearer tokens.'),
});

/** `none`, or the accepted credentials. */
export const authConfigSchema = z
  .union([z.literal('none'), credentialsSchema])
  .default({ tokens: [] })
  .describe('`none` (development only: loopback host, warned at each start), or `tokens` and/or `jwt`. Default: no credential is accepted, so protected routes answer 401.');

/** How many failed authentications a client may make before it is refused with 429. */
export const rateLimitConfigSchema = z.strictObject({
  failures: z.number().int().min(1).default(10).describe('Failed authentications allowed per client within `window`; the next request gets 429. Default 10.'),
  window: duration().default(60_000).describe('Window the failures are counted in, and how long a blocked client waits; 0 turns the limit off. Default 1m.'),
  maxClients: z.number().int().min(1).default(10_000).describe('Clients tracked at once (the oldest are forgotten first), bounding memory. Default 10000.'),
});

/** The dashboard page at `<basePath>/admin/` and its sessions. */
export const dashboardConfigSchema = z.strictObject({
  enabled: z.boolean().default(true).describe('Serve the dashboard at <basePath>/admin/ (sign in with a token; it calls the admin API). Default true.'),
  sessionTtl: duration({ min: 60_000, max: 7 * 86_400_000 }).default(8 * 3_600_000).describe('Longest life of a dashboard session (a JWT\'s expiry ends it sooner). Default 8h.'),
  idleTimeout: duration({ min: 60_000, max: 7 * 86_400_000 }).default(3_600_000).describe('A dashboard session unused this long ends. Default 1h.'),
  maxSessions: z.number().int().min(1).max(1_000_000).default(10_000).describe('Sessions held in memory at once; past it the least recently used ends. Default 10000.'),
});

/** `services.http.metrics`: the Prometheus text exposition at `<basePath>/metrics`. */
export const metricsConfigSchema = z.strictObject({
  enabled: z.boolean().default(true).describe('Serve the scheduler\'s metrics as Prometheus text at <basePath>/metrics. Default true.'),
  auth: z
    .enum(['read', 'public'])
    .default('read')
    .describe('Who may scrape: `read` (a token or JWT granting read; give Prometheus a token of its own with scopes [read]) or `public` (no credentials; only behind a network you trust). Default read.'),
});

const trustProxyValue = z
  .union([z.boolean(), z.number().int().min(0).max(32), z.array(z.string().min(1))])
  .superRefine((value, ctx) => {
    if (value === true) {
      ctx.addIssue({ code: 'custom', message: '`true` would trust any X-Forwarded-For a client writes; give the number of proxies in front of the server (e.g. 1) or their addresses' });
    }
    if (Array.isArray(value)) {
      value.forEach((entry, i) => {
        const problem = rangeProblem(entry);
        if (problem !== undefined) ctx.addIssue({ code: 'custom', path: [i], message: `${problem}; use an address, a CIDR range, "loopback" or "private"` });
      });
    }
  })
  .transform((value): TrustProxySetting => (value === true ? false : value));

/**
 * Schema of `services.http`.
 *
 * @example
 * ```yaml
 * services:
 *   http:
 *     enabled: true
 *     port: 8080
 *     auth:
 *       tokens:
 *         - { id: ci, token: "${XCORE_CI_TOKEN}", scopes: [operate] }
 * ```
 */
export const httpConfigSchema = z
  .strictObject({
    enabled: z.boolean().default(false).describe('Start the server. Default false: an app serves HTTP only when it says so.'),
    host: z.string().min(1).regex(/^[^\s/]+$/, 'a host name or address, without scheme or path').default('127.0.0.1').describe('Address to listen on. Default 127.0.0.1 (this machine only); 0.0.0.0 or :: for every interface.'),
    port: z.number().int().min(0).max(65_535).default(8080).describe('Port to listen on; 0 picks a free port (logged as "http listening"). Default 8080.'),
    basePath: z
      .string()
      .regex(/^(\/[A-Za-z0-9._~@-]+)*\/?$/, 'a path like "/xcore" (starts with "/"; letters, digits and -._~@ in each segment)')
      .default('')
      .transform((path) => (path.endsWith('/') ? path.slice(0, -1) : path))
      .describe('Prefix of every route, e.g. "/xcore" behind a proxy that forwards that path. Default "" (routes at /admin/v1, /plugins/<name>).'),
    tls: z
      .strictObject({
        cert: z.string().min(1).describe('PEM certificate chain file, relative to this file.'),
        key: z.string().min(1).describe('PEM private key file, relative to this file.'),
      })
      .optional()
      .describe('Serve HTTPS with these files (read and checked at boot). Default: plain HTTP.'),
    bodyLimit: byteSize(1, 1024 ** 3).default(1024 * 1024).describe('Largest request body, in bytes or text like "512kb", "1mb". Default 1mb.'),
    trustProxy: trustProxyValue
      .default(false)
      .describe('Whose X-Forwarded-For to believe when naming the client (rate limit, audit): false (the socket peer), a number of proxy hops, or trusted proxy addresses/CIDRs ("loopback", "private" too). Default false.'),
    auth: authConfigSchema,
    rateLimit: rateLimitConfigSchema.prefault({}).describe('Limit on failed authentications per client.'),
    dashboard: dashboardConfigSchema.prefault({}).describe('The operator dashboard at <basePath>/admin/.'),
    metrics: metricsConfigSchema.prefault({}).describe('Prometheus text exposition of the scheduler\'s metrics at <basePath>/metrics.'),
  })
  .superRefine((cfg, ctx) => {
    if (cfg.auth === 'none' && !isLoopbackHost(cfg.host)) {
      ctx.addIssue({
        code: 'custom',
        path: ['auth'],
        message: `auth "none" is only allowed when host is a loopback address (127.0.0.1, ::1, localhost), not "${cfg.host}": anyone who can reach it could call every route. Configure tokens or jwt, or bind 127.0.0.1`,
      });
    }
    if (cfg.auth !== 'none') {
      const seen = new Map<string, string>();
      cfg.auth.tokens.forEach((token, i) => {
        const digest = `digest:${configuredDigest(token.token).toString('hex')}`;
        if (seen.has(`id:${token.id}`)) ctx.addIssue({ code: 'custom', path: ['auth', 'tokens', i, 'id'], message: `duplicate token id "${token.id}"` });
        if (seen.has(digest)) {
          ctx.addIssue({ code: 'custom', path: ['auth', 'tokens', i, 'token'], message: `the same token as "${seen.get(digest)}"; each token needs its own value`, input: '(hidden)' });
        }
        seen.set(`id:${token.id}`, token.id);
        seen.set(digest, token.id);
      });
    }
  })
  .prefault({});

/** The validated `services.http` section. */
export type HttpConfig = z.output<typeof httpConfigSchema>;
/** The validated `services.http.auth` section when it is not `none`. */
export type CredentialsConfig = z.output<typeof credentialsSchema>;
/** One validated token entry. */
export type TokenConfig = z.output<typeof tokenConfigSchema>;
/** The validated `services.http.auth.jwt` section. */
export type JwtConfig = z.output<typeof jwtConfigSchema>;
/** The validated `services.http.dashboard` section. */
export type DashboardConfig = z.output<typeof dashboardConfigSchema>;
/** The validated `services.http.rateLimit` section. */
export type RateLimitConfig = z.output<typeof rateLimitConfigSchema>;
