/**
 * The catalogue of coded errors thrown by `@xcore/http`.
 *
 * @remarks
 * Every error is an `XcoreError` subclass (from `@xcore/core`) with a stable `XCORE_ERR_HTTP_...`
 * code, documented once in {@link HTTP_ERROR_CODES}. Two families:
 *
 * - request errors (each an {@link HttpAnswer}) carry the HTTP `status` they answer
 *   with; the server turns them into the one JSON error shape (`{ error: { status, code, name,
 *   message, ... } }`);
 * - setup errors (a malformed route, a port already taken) are thrown to the code that caused them.
 *
 * Messages say what was wrong, where (route, key path, address) and what to do. Match errors by
 * `code`, not `instanceof`.
 */
import { XcoreError, type XcoreErrorOptions } from '@xcore/core';

/**
 * Documentation of every code thrown by `@xcore/http`: code, then what it means and what to do.
 *
 * @remarks
 * Kept beside the classes so a test can check each class's code is listed here exactly once.
 */
export const HTTP_ERROR_CODES: Readonly<Record<string, string>> = {
  // Request errors (answered to the client with their status)
  XCORE_ERR_HTTP_BAD_REQUEST:
    'HTTP 400: the request itself is malformed (a URL that cannot be decoded, a bad Host header). Fix the client.',
  XCORE_ERR_HTTP_VALIDATION:
    'HTTP 400: the path parameters, query string or JSON body do not match the route\'s schema. `issues` names each field (`in`, `path`) and what was expected.',
  XCORE_ERR_HTTP_BODY_INVALID:
    'HTTP 400: the route takes a JSON body and the body is not valid JSON. Send `Content-Type: application/json` with a JSON document.',
  XCORE_ERR_HTTP_UNAUTHENTICATED:
    'HTTP 401: the route needs a credential and the request has none, a malformed `Authorization` header, an unknown token or a JWT that fails verification (signature, algorithm, issuer, audience, expiry, not-before). Send `Authorization: Bearer <token>`.',
  XCORE_ERR_HTTP_FORBIDDEN:
    'HTTP 403: the caller is authenticated but lacks the scope the route needs (`read`, `operate` or `admin`). Use a token or JWT that grants it.',
  XCORE_ERR_HTTP_CSRF_REFUSED:
    'HTTP 403: a write request (POST, PUT, PATCH, DELETE) came from another site (`Sec-Fetch-Site: cross-site`/`same-site`, or an `Origin` that is not this server\'s), or used a dashboard session cookie without its `x-csrf-token`. Browsers send these headers; use the dashboard from its own origin, or call the API with `Authorization: Bearer <token>` from a non-browser client.',
  XCORE_ERR_HTTP_NOT_FOUND:
    'HTTP 404: no route matches this method and path (a plugin\'s routes are gone while it is stopped). Check the path and the base path.',
  XCORE_ERR_HTTP_BODY_TOO_LARGE: 'HTTP 413: the request body is larger than `services.http.bodyLimit`. Send less, or raise the limit.',
  XCORE_ERR_HTTP_UNSUPPORTED_MEDIA_TYPE:
    'HTTP 415: the route takes a JSON body and the request has another `Content-Type`. Send `Content-Type: application/json`.',
  XCORE_ERR_HTTP_RATE_LIMITED:
    'HTTP 429: this client failed authentication too often within `services.http.rateLimit.window`; every protected route refuses it until `Retry-After` seconds have passed.',
  XCORE_ERR_HTTP_SERVICE_UNAVAILABLE:
    'HTTP 503: the route needs a service this host does not run (the job routes need the scheduler; the plugin routes need the kernel). Enable it under `services:`, or call a host that runs it.',
  XCORE_ERR_HTTP_INTERNAL:
    'HTTP 500: a route handler threw an error that is not a coded xcore error. The client sees only the request id; the server log has the error under that `requestId`.',
  // Setup errors (thrown to the code that caused them)
  XCORE_ERR_HTTP_ROUTE_INVALID:
    'A route definition is malformed: unknown method, a path that does not start with "/" or has an empty or bad segment, a schema that is not a zod schema, a scope that is not read/operate/admin/public, or a handler that is not a function. The message names the route and the field.',
  XCORE_ERR_HTTP_ROUTE_CONFLICT:
    'A route with the same method and path is already mounted by this owner, or a service tried to mount a route under the reserved /admin or /plugins prefixes. Nothing was changed; pick another path.',
  XCORE_ERR_HTTP_PLUGIN_STOPPED:
    'A plugin used its http view after it stopped (its routes are gone). Mount routes in `onStart`; a reloaded plugin gets a fresh view and mounts them again.',
  XCORE_ERR_HTTP_LISTEN_FAILED:
    'The server could not bind `services.http.host`:`port` (address in use, permission denied for a port below 1024, an address this machine does not have). Pick another port (0 = any free port) or host.',
  XCORE_ERR_HTTP_AUTH_NONE_REFUSED:
    'With `services.http.auth: none` the server must listen on a loopback address only; the host resolved to another address, so boot was refused. Bind 127.0.0.1 or ::1, or configure tokens or a JWT.',
};

// ---------------------------------------------------------------------------------------------
// Request errors: answered to the client with their status
// ---------------------------------------------------------------------------------------------

/** One problem found while validating a request, as the error shape lists it. */
export interface RequestIssue {
  /** Which part of the request: path parameters, query string or body. */
  readonly in: 'params' | 'query' | 'body';
  /** Dotted path of the field inside that part (`items.0.name`); `''` for the part itself. */
  readonly path: string;
  /** What was wrong, in words. */
  readonly message: string;
}

/**
 * What an error the server answers a request with carries besides its code: the HTTP status and
 * extra headers.
 *
 * @remarks
 * Every request error below implements it. A route handler may throw one of them (or any
 * `XcoreError`, whose status is derived from its code) to answer with that status and the error
 * shape.
 */
export interface HttpAnswer {
  /** HTTP status of the answer. */
  readonly status: number;
  /** Extra headers of the answer (`WWW-Authenticate`, `Retry-After`). */
  readonly headers: Readonly<Record<string, string>>;
}

const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze({});

/** HTTP 400: the request cannot be decoded (bad percent-encoding, bad Host header). */
export class HttpBadRequestError extends XcoreError implements HttpAnswer {
  readonly status = 400;
  readonly headers = NO_HEADERS;

  constructor(problem: string, options: XcoreErrorOptions = {}) {
    super('XCORE_ERR_HTTP_BAD_REQUEST', `Bad request: ${problem}. Fix the request URL and headers.`, options);
  }
}

/** HTTP 400: params, query or body do not match the route's schema; `issues` names each field. */
export class HttpValidationError extends XcoreError implements HttpAnswer {
  readonly status = 400;
  readonly headers = NO_HEADERS;
  /** Every problem found, each naming the part and the field. */
  readonly issues: readonly RequestIssue[];

  constructor(route: string, issues: readonly RequestIssue[]) {
    const list = [...issues];
    const fields = list.map((i) => `${i.in}${i.path === '' ? '' : `.${i.path}`}: ${i.message}`);
    super('XCORE_ERR_HTTP_VALIDATION', `Invalid request to ${route}: ${fields.join('; ')}. Fix these fields and send it again.`);
    this.issues = Object.freeze(list);
  }
}

/** HTTP 400: a JSON body that does not parse. */
export class HttpBodyInvalidError extends XcoreError implements HttpAnswer {
  readonly status = 400;
  readonly headers = NO_HEADERS;

  constructor(route: string, problem: string) {
    super('XCORE_ERR_HTTP_BODY_INVALID', `The body of this request to ${route} is not valid JSON (${problem}). Send a JSON document.`);
  }
}

/** HTTP 401: no credential, a malformed one, or one that does not verify. */
export class HttpUnauthenticatedError extends XcoreError implements HttpAnswer {
  readonly status = 401;
  readonly headers: Readonly<Record<string, string>>;
  /**
   * The RFC 6750 `error` attribute: `invalid_request` (malformed header), `invalid_token`
   * (unknown token, failed JWT), or `undefined` when no credential was sent.
   */
  readonly reason: 'invalid_request' | 'invalid_token' | undefined;

  constructor(reason: 'invalid_request' | 'invalid_token' | undefined, problem: string) {
    super('XCORE_ERR_HTTP_UNAUTHENTICATED', `Authentication required: ${problem}. Send \`Authorization: Bearer <token>\` with a valid token or JWT.`);
    this.reason = reason;
    this.headers = { 'www-authenticate': reason === undefined ? 'Bearer realm="xcore"' : `Bearer realm="xcore", error="${reason}"` };
  }
}

/** HTTP 403: authenticated, without the scope the route needs. */
export class HttpForbiddenError extends XcoreError implements HttpAnswer {
  readonly status = 403;
  readonly headers: Readonly<Record<string, string>>;
  /** The scope the route needs. */
  readonly scope: string;

  constructor(route: string, scope: string, subject: string) {
    super('XCORE_ERR_HTTP_FORBIDDEN', `${subject} may not call ${route}: it needs the "${scope}" scope. Use a token or JWT that grants "${scope}".`);
    this.scope = scope;
    this.headers = { 'www-authenticate': `Bearer realm="xcore", error="insufficient_scope", scope="${scope}"` };
  }
}

/** HTTP 403: a write request from another site, or a session-cookie write without its CSRF token. */
export class HttpCsrfRefusedError extends XcoreError implements HttpAnswer {
  readonly status = 403;
  readonly headers = NO_HEADERS;

  constructor(route: string, problem: string) {
    super('XCORE_ERR_HTTP_CSRF_REFUSED', `${route} refused as a cross-site request forgery: ${problem}. Use the dashboard from its own origin, or call the API with \`Authorization: Bearer <token>\` from a non-browser client.`);
  }
}

/** HTTP 404: no route for this method and path. */
export class HttpNotFoundError extends XcoreError implements HttpAnswer {
  readonly status = 404;
  readonly headers = NO_HEADERS;

  constructor(method: string, path: string) {
    super('XCORE_ERR_HTTP_NOT_FOUND', `No route for ${method} ${truncate(path)}. Check the path (and services.http.basePath); a stopped plugin has no routes.`);
  }
}

/** HTTP 413: the body is larger than `bodyLimit`. */
export class HttpBodyTooLargeError extends XcoreError implements HttpAnswer {
  readonly status = 413;
  readonly headers = NO_HEADERS;

  constructor(limit: number) {
    super('XCORE_ERR_HTTP_BODY_TOO_LARGE', `The request body is larger than the limit of ${limit} bytes (services.http.bodyLimit). Send a smaller body.`);
  }
}

/** HTTP 415: a body route got something other than JSON. */
export class HttpUnsupportedMediaTypeError extends XcoreError implements HttpAnswer {
  readonly status = 415;
  readonly headers = NO_HEADERS;

  constructor(route: string, contentType: string) {
    super('XCORE_ERR_HTTP_UNSUPPORTED_MEDIA_TYPE', `${route} takes a JSON body, got Content-Type "${truncate(contentType)}". Send Content-Type: application/json.`);
  }
}

/** HTTP 429: too many failed authentications from this client. */
export class HttpRateLimitedError extends XcoreError implements HttpAnswer {
  readonly status = 429;
  readonly headers: Readonly<Record<string, string>>;
  /** Seconds until the client may try again. */
  readonly retryAfterSeconds: number;

  constructor(client: string, retryAfterSeconds: number) {
    super('XCORE_ERR_HTTP_RATE_LIMITED', `Too many failed authentication attempts from ${client}. Try again in ${retryAfterSeconds} s.`);
    this.retryAfterSeconds = retryAfterSeconds;
    this.headers = { 'retry-after': String(retryAfterSeconds) };
  }
}

/** HTTP 503: the route needs a service this host does not run. */
export class HttpServiceUnavailableError extends XcoreError implements HttpAnswer {
  readonly status = 503;
  readonly headers = NO_HEADERS;

  constructor(route: string, service: string, fix: string) {
    super('XCORE_ERR_HTTP_SERVICE_UNAVAILABLE', `${route} needs the ${service}, which this host does not run. ${fix}`);
  }
}

/** HTTP 500: a handler threw an uncoded error; the client sees only the request id. */
export class HttpInternalError extends XcoreError implements HttpAnswer {
  readonly status = 500;
  readonly headers = NO_HEADERS;

  constructor(route: string, requestId: string, options: XcoreErrorOptions = {}) {
    super('XCORE_ERR_HTTP_INTERNAL', `${route} failed with an internal error. The server log has the details under requestId ${requestId}.`, options);
  }
}

// ---------------------------------------------------------------------------------------------
// Setup errors: thrown to the code that caused them
// ---------------------------------------------------------------------------------------------

/** A route definition is malformed. */
export class HttpRouteInvalidError extends XcoreError {
  constructor(owner: string, route: string, problem: string) {
    super('XCORE_ERR_HTTP_ROUTE_INVALID', `Invalid route ${route} of ${owner}: ${problem}.`);
  }
}

/** A route's method and path are taken, or a service used a reserved prefix. */
export class HttpRouteConflictError extends XcoreError {
  constructor(owner: string, route: string, problem: string) {
    super('XCORE_ERR_HTTP_ROUTE_CONFLICT', `Cannot mount ${route} for ${owner}: ${problem}. Nothing was changed; pick another path.`);
  }
}

/** A stopped plugin used its http view. */
export class HttpPluginStoppedError extends XcoreError {
  constructor(plugin: string, what: string) {
    super('XCORE_ERR_HTTP_PLUGIN_STOPPED', `Plugin "${plugin}" called http.${what} after it stopped. Mount routes in onStart; a reloaded plugin mounts them again.`);
  }
}

/** The server could not bind its address. */
export class HttpListenFailedError extends XcoreError {
  constructor(address: string, reason: string, options: XcoreErrorOptions = {}) {
    super(
      'XCORE_ERR_HTTP_LISTEN_FAILED',
      `The http service could not listen on ${address}: ${reason}. Set services.http.port to a free port (0 picks one) or change services.http.host.`,
      options,
    );
  }
}

/** `auth: none` with a host that did not resolve to a loopback address. */
export class HttpAuthNoneRefusedError extends XcoreError {
  constructor(host: string, bound: string) {
    super(
      'XCORE_ERR_HTTP_AUTH_NONE_REFUSED',
      `services.http.auth is "none" but host "${host}" is bound to ${bound}, which is not a loopback address: anyone on the network could call every route. Bind 127.0.0.1 or ::1, or configure auth tokens or a JWT.`,
    );
  }
}

/** Long client-supplied text cut short for messages. */
function truncate(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}...` : text;
}
