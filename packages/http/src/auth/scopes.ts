/**
 * The three scopes of the http service and what each implies. Pure.
 */

/**
 * Every scope, weakest first: `read` (look), `operate` (run, pause, resume, reschedule jobs),
 * `admin` (remove jobs, reload plugins).
 */
export const SCOPES = ['read', 'operate', 'admin'] as const;

/**
 * A scope a token or JWT grants and a route needs.
 *
 * @remarks
 * Scopes are ordered: `admin` implies `operate`, which implies `read`. A credential granting
 * `operate` may call every `read` and `operate` route.
 */
export type Scope = (typeof SCOPES)[number];

/** True when `value` is one of {@link SCOPES}. */
export function isScope(value: unknown): value is Scope {
  return typeof value === 'string' && (SCOPES as readonly string[]).includes(value);
}

/** True when a credential holding `held` may call a route needing `needed`. */
export function grants(held: readonly Scope[], needed: Scope): boolean {
  const rank = SCOPES.indexOf(needed);
  return held.some((scope) => SCOPES.indexOf(scope) >= rank);
}

/** Every scope `held` grants, implied ones included, weakest first (`['operate']` gives read, operate). */
export function effectiveScopes(held: readonly Scope[]): Scope[] {
  return SCOPES.filter((scope) => grants(held, scope));
}
