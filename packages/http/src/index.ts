/**
 * `@xcore/http`: the `http` service: one server per host (Hono on `@hono/node-server`), plugin
 * routes under `/plugins/<plugin>` validated by zod, the admin API under `/admin/v1` with its
 * OpenAPI 3.1 document, bearer tokens and JWTs (jose) with `read` / `operate` / `admin` scopes,
 * a failed-authentication rate limit and an audit line for every write.
 *
 * @packageDocumentation
 */
// The service (service/, server/)
export { httpService, createHttpServer } from './service/http-definition.js';
export type { HttpCreateContext } from './service/http-definition.js';
export type { HttpService, HttpAddress } from './service/http-service.js';
export { HttpServer } from './server/http-server.js';
export type { HttpServerOptions } from './server/http-server.js';
export { PluginHttp, pluginPrefix } from './service/plugin-http.js';
// Routes (routes/, openapi/, admin/)
export { defineRoute, routeAuth, HTTP_METHODS } from './routes/route-definition.js';
export type {
  RouteDefinition, AnyRouteDefinition, RouteInput, RouteAudit, HttpMethod, SchemaOutput, RawParams, RawQuery,
} from './routes/route-definition.js';
export { compileRoute } from './routes/compile-route.js';
export type { CompiledRoute } from './routes/compile-route.js';
export { errorBody, errorResponse, jsonResponse, statusOf, isHttpAnswer } from './routes/error-response.js';
export type { ErrorBody } from './routes/error-response.js';
export { openApiDocument, errorBodySchema } from './openapi/openapi-document.js';
export type { OpenApiInfo, JsonObject } from './openapi/openapi-document.js';
export { adminRoutes, ADMIN_PREFIX } from './admin/admin-routes.js';
export type { AdminDeps } from './admin/admin-routes.js';
export { whoamiResponseSchema } from './admin/whoami-route.js';
export { servicesResponseSchema } from './admin/services-route.js';
export { healthResponseSchema, probeResponseSchema } from './health/health-routes.js';
export { jobSchema, jobDetailSchema, jobPageSchema, nextRunsSchema, runSchema, runPageSchema, loggedRunSchema, loggedRunPageSchema, runRequestSchema, schedulerStateSchema, pluginSchema } from './admin/admin-schemas.js';
export { runBodySchema } from './admin/jobs-routes.js';
// Auth (auth/) and audit (audit/)
export { SCOPES, isScope, grants, effectiveScopes } from './auth/scopes.js';
export type { Scope } from './auth/scopes.js';
export { AccessGuard, CSRF_HEADER } from './auth/access-guard.js';
export type { Identity, RouteAuth, Credentials, AccessGuardOptions } from './auth/access-guard.js';
export { SessionStore, SESSION_COOKIE, cookieValue, sameSecret } from './auth/sessions.js';
export type { Session, SessionStoreOptions } from './auth/sessions.js';
export { dashboardRoutes, PAGE_HEADERS } from './dashboard/dashboard-routes.js';
export type { DashboardDeps } from './dashboard/dashboard-routes.js';
export { TokenVerifier, sha256Hex, configuredDigest } from './auth/token-auth.js';
export type { TokenEntry } from './auth/token-auth.js';
export { JwtVerifier, looksLikeJwt } from './auth/jwt-auth.js';
export type { JwtVerifierOptions, VerifiedJwt } from './auth/jwt-auth.js';
export type { JwtKeys, JwtAlgorithm } from './auth/jwt-keys.js';
export { FailureLimiter } from './auth/failure-limiter.js';
export type { FailureLimiterOptions } from './auth/failure-limiter.js';
export { AuditLog, auditResult } from './audit/audit-log.js';
export type { AuditEntry, AuditResult } from './audit/audit-log.js';
// Config (config/) and addresses (net/)
export { httpConfigSchema, dashboardConfigSchema, authConfigSchema, jwtConfigSchema, tokenConfigSchema, rateLimitConfigSchema, MIN_TOKEN_LENGTH, MIN_HS256_SECRET_LENGTH } from './config/http-config.js';
export type { HttpConfig, DashboardConfig, CredentialsConfig, TokenConfig, JwtConfig, RateLimitConfig } from './config/http-config.js';
export { byteSize, parseByteSize } from './config/byte-size.js';
export { clientAddress, trustPolicy } from './net/client-address.js';
export type { TrustProxySetting, TrustPolicy, ClientAddressInput } from './net/client-address.js';
export { isLoopbackAddress, isLoopbackHost } from './net/addresses.js';
// Errors
export {
  HTTP_ERROR_CODES,
  HttpBadRequestError, HttpValidationError, HttpBodyInvalidError, HttpUnauthenticatedError, HttpForbiddenError, HttpCsrfRefusedError, HttpNotFoundError,
  HttpBodyTooLargeError, HttpUnsupportedMediaTypeError, HttpRateLimitedError, HttpInternalError,
  HttpRouteInvalidError, HttpRouteConflictError, HttpPluginStoppedError, HttpListenFailedError, HttpAuthNoneRefusedError, HttpServiceUnavailableError,
} from './errors.js';
export type { HttpAnswer, RequestIssue } from './errors.js';
