/**
 * Checks a route definition once, when it is mounted, and fixes what every request needs of it:
 * its full path, its scope, its label in logs and errors, and the key that detects conflicts.
 */
import { HttpRouteInvalidError } from '../errors.js';
import { isScope } from '../auth/scopes.js';
import type { RouteAuth } from '../auth/access-guard.js';
import { HTTP_METHODS, routeAuth, type AnyRouteDefinition, type HttpMethod } from './route-definition.js';

/** A checked route, ready to mount. */
export interface CompiledRoute {
  readonly def: AnyRouteDefinition;
  readonly method: HttpMethod;
  /** Path as mounted: base path, mount prefix and the route's own path (no trailing `/`, `/` for the root). */
  readonly fullPath: string;
  /** Names of the `:params` in the path, in order. */
  readonly paramNames: readonly string[];
  readonly auth: RouteAuth;
  /** `METHOD /full/path`, for logs, audit lines and error messages. */
  readonly label: string;
  /** Method and path with parameter names blanked: two routes with the same key would shadow each other. */
  readonly key: string;
}

const LITERAL = /^[A-Za-z0-9._~@-]+$/;
const PARAM = /^:([A-Za-z_][A-Za-z0-9_]*)$/;

/**
 * Checks `def` and compiles it for the mount point `prefix` (`''` or `/plugins/<name>` after the
 * base path).
 *
 * @throws `XCORE_ERR_HTTP_ROUTE_INVALID` naming the owner, the route and the field.
 */
export function compileRoute(def: AnyRouteDefinition, prefix: string, owner: string): CompiledRoute {
  const raw = def as Partial<AnyRouteDefinition> | null | undefined;
  const shown = raw !== null && typeof raw === 'object' ? `${String(raw.method)} ${String(raw.path)}` : String(raw);
  const invalid = (problem: string): HttpRouteInvalidError => new HttpRouteInvalidError(owner, shown, problem);
  if (raw === null || typeof raw !== 'object') throw invalid('a route is an object { method, path, handler, ... }');
  if (!(HTTP_METHODS as readonly unknown[]).includes(raw.method)) throw invalid(`method must be one of ${HTTP_METHODS.join(', ')}`);
  if (typeof raw.path !== 'string' || !raw.path.startsWith('/')) throw invalid('path must be a string starting with "/"');
  if (typeof raw.handler !== 'function') throw invalid('handler must be a function');
  if (raw.auth !== undefined && raw.auth !== 'public' && !isScope(raw.auth)) throw invalid('auth must be "public", "read", "operate" or "admin"');
  for (const part of ['params', 'query', 'body', 'response'] as const) {
    const schema = raw[part] as { safeParseAsync?: unknown } | undefined;
    if (schema !== undefined && (schema === null || typeof schema.safeParseAsync !== 'function')) throw invalid(`${part} must be a zod schema`);
  }
  const segments = raw.path.split('/').slice(1);
  if (segments[segments.length - 1] === '') segments.pop();
  const paramNames: string[] = [];
  for (const segment of segments) {
    const param = PARAM.exec(segment);
    if (param !== null) {
      if (paramNames.includes(param[1]!)) throw invalid(`path parameter ":${param[1]}" appears twice`);
      paramNames.push(param[1]!);
    } else if (!LITERAL.test(segment)) {
      throw invalid(`path segment "${segment}" must be literal text (letters, digits, -._~ and sub-delimiters) or :name`);
    }
  }
  const missing = requiredKeys(raw.params).filter((key) => !paramNames.includes(key));
  if (missing.length > 0) throw invalid(`params schema requires ${missing.map((k) => `"${k}"`).join(', ')}, which the path does not have`);
  const own = segments.length === 0 ? '' : `/${segments.join('/')}`;
  const fullPath = `${prefix}${own}` || '/';
  const method = raw.method as HttpMethod;
  return {
    def: raw as AnyRouteDefinition,
    method,
    fullPath,
    paramNames,
    auth: routeAuth({ method, auth: raw.auth }),
    label: `${method} ${fullPath}`,
    key: `${method} ${fullPath.replace(/\/:[^/]+/g, '/:')}`,
  };
}

/** Keys a zod object schema requires (none when it is not an object schema we can read). */
function requiredKeys(schema: unknown): string[] {
  const shape = (schema as { shape?: unknown } | undefined)?.shape;
  if (shape === null || typeof shape !== 'object') return [];
  return Object.entries(shape as Record<string, { safeParse?: (v: unknown) => { success: boolean } }>)
    .filter(([, field]) => typeof field?.safeParse === 'function' && !field.safeParse(undefined).success)
    .map(([key]) => key);
}
