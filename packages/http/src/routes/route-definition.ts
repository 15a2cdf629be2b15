/**
 * The route definition every route is written as (plugin routes, first-party routes, the admin
 * API): method, path, scope, zod schemas, summary, handler.
 */
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { Identity, RouteAuth } from '../auth/access-guard.js';

/** HTTP methods a route can answer (`GET` routes answer `HEAD` too). */
export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/** An HTTP method a route can answer. */
export type HttpMethod = (typeof HTTP_METHODS)[number];

/** A schema's output, or `D` when the route gives no schema. */
export type SchemaOutput<S, D> = S extends z.ZodType ? z.output<S> : D;

/** Path parameters when the route gives no `params` schema: the decoded strings. */
export type RawParams = Readonly<Record<string, string>>;
/** Query string when the route gives no `query` schema: a value per key, a list when repeated. */
export type RawQuery = Readonly<Record<string, string | string[]>>;

/** What a handler receives: validated input, the caller and request details. */
export interface RouteInput<P, Q, B> {
  /** Path parameters (`:id`), validated by `params` when given. */
  readonly params: P;
  /**
   * Query string, validated by `query` when given.
   *
   * @remarks
   * Values arrive as strings (a list when a key repeats), so use `z.coerce.number()` and the like.
   */
  readonly query: Q;
  /** JSON body validated by `body`; `undefined` when the route gives no body schema. */
  readonly body: B;
  /** Who is calling (`anonymous` on a public route). */
  readonly identity: Identity;
  /** The client's address (after `trustProxy`). */
  readonly client: string;
  /** Id of this request: in the `x-request-id` header, error bodies and log lines. */
  readonly requestId: string;
  /** The request as received (headers, URL). Its body has already been read when `body` is set. */
  readonly request: Request;
  /** Aborted when the client goes away. */
  readonly signal: AbortSignal;
  /** Logger bound to the request id and route. */
  readonly logger: Logger;
}

/** What a route writes to the audit log (routes with a write method are audited by default). */
export interface RouteAudit<P> {
  /** Name of the action, e.g. `job.run`. @defaultValue `METHOD /path` of the route */
  readonly action?: string;
  /**
   * What the action is applied to, from the validated path parameters (e.g. the job id); also
   * used for refused requests whose parameters are valid.
   *
   * @defaultValue the path parameters, `key=value` joined by `&`
   */
  target?(params: P): string | undefined;
}

/**
 * A route: where it is, who may call it, what its input and output look like, what it does.
 *
 * @remarks
 * Input is validated before the handler runs; a failure is a 400 (`XCORE_ERR_HTTP_VALIDATION`)
 * naming each field. The handler returns a JSON value (sent with `status`), `undefined` (204), or
 * a `Response` for anything else (text, streams). A thrown `XcoreError` answers with a status
 * derived from its code (404 for `..._NOT_FOUND`, 409 for `..._CONFLICT`, ...), anything else with
 * 500 and a logged error. Write methods (POST, PUT, PATCH, DELETE) are audited unless `audit:
 * false`.
 *
 * @typeParam P - `params` schema. @typeParam Q - `query` schema. @typeParam B - `body` schema.
 * @typeParam R - `response` schema (documentation and types; responses are not validated at run time).
 */
export interface RouteDefinition<
  P extends z.ZodType | undefined = undefined,
  Q extends z.ZodType | undefined = undefined,
  B extends z.ZodType | undefined = undefined,
  R extends z.ZodType | undefined = undefined,
> {
  /** HTTP method. */
  readonly method: HttpMethod;
  /**
   * Path relative to where the route is mounted, with `:name` parameters: `/orders/:id`.
   *
   * @remarks
   * Segments are literal text or `:param`; a trailing `/` is not significant.
   */
  readonly path: string;
  /**
   * Scope the caller needs, or `public`.
   *
   * @defaultValue `read` for GET, `operate` for other methods
   */
  readonly auth?: RouteAuth;
  /** One line for the OpenAPI document and logs. */
  readonly summary?: string;
  /** Longer OpenAPI description. */
  readonly description?: string;
  /** OpenAPI operation id. @defaultValue derived from method and path */
  readonly operationId?: string;
  /** OpenAPI tags. */
  readonly tags?: readonly string[];
  /** Schema of the path parameters (an object schema). */
  readonly params?: P;
  /** Schema of the query string (an object schema; values are strings). */
  readonly query?: Q;
  /** Schema of the JSON body; the route then requires `Content-Type: application/json` when a body is sent. */
  readonly body?: B;
  /** Schema of a successful response body, for the OpenAPI document and the handler's return type. */
  readonly response?: R;
  /** Status of a successful response with a body. @defaultValue `200` */
  readonly status?: 200 | 201 | 202;
  /**
   * Other success answers the handler may give (as a `Response`), for the OpenAPI document: status
   * to description and body schema.
   */
  readonly otherResponses?: Readonly<Partial<Record<200 | 201 | 202 | 204, { readonly description: string; readonly schema?: z.ZodType }>>>;
  /** Error answers beyond the common ones (400, 401, 403, 404, 429, 500), for the OpenAPI document: status to description. */
  readonly errorResponses?: Readonly<Record<number, string>>;
  /** Audit settings, or `false` to not audit this write route. */
  readonly audit?: RouteAudit<SchemaOutput<P, RawParams>> | false;
  /** Answers the request. */
  handler(
    input: RouteInput<SchemaOutput<P, RawParams>, SchemaOutput<Q, RawQuery>, SchemaOutput<B, undefined>>,
  ): SchemaOutput<R, unknown> | Response | undefined | Promise<SchemaOutput<R, unknown> | Response | undefined>;
}

/** A route of any schemas, as routes are stored. */
export type AnyRouteDefinition = RouteDefinition<z.ZodType | undefined, z.ZodType | undefined, z.ZodType | undefined, z.ZodType | undefined>;

/**
 * Declares a route; an identity function that infers the handler's input types from the schemas.
 *
 * @example
 * ```ts
 * const refund = defineRoute({
 *   method: 'POST',
 *   path: '/orders/:id/refund',
 *   auth: 'operate',
 *   params: z.object({ id: z.string().uuid() }),
 *   body: z.object({ amount: z.number().positive() }),
 *   response: z.object({ refunded: z.number() }),
 *   handler: async ({ params, body }) => ({ refunded: await refundOrder(params.id, body.amount) }),
 * });
 * ```
 */
export function defineRoute<
  P extends z.ZodType | undefined = undefined,
  Q extends z.ZodType | undefined = undefined,
  B extends z.ZodType | undefined = undefined,
  R extends z.ZodType | undefined = undefined,
>(def: RouteDefinition<P, Q, B, R>): RouteDefinition<P, Q, B, R> {
  return def;
}

/** The scope a route needs once its default is applied. */
export function routeAuth(def: Pick<AnyRouteDefinition, 'auth' | 'method'>): RouteAuth {
  return def.auth ?? (def.method === 'GET' ? 'read' : 'operate');
}
