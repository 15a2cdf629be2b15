/**
 * Answers one request with one route: admit (scope), read and validate the input, run the handler,
 * turn its result or error into a response, write the audit line of a write action.
 */
import { isXcoreError, type XcoreError } from '@xcore/core';
import type { Logger } from 'pino';
import type { AccessGuard, Identity } from '../auth/access-guard.js';
import { auditResult, type AuditLog } from '../audit/audit-log.js';
import { HttpInternalError } from '../errors.js';
import type { CompiledRoute } from './compile-route.js';
import { errorResponse, jsonResponse, statusOf } from './error-response.js';
import { queryObject, readJsonBody, validateInput } from './request-input.js';

/** What the runner needs of the server, the same for every request. */
export interface RouteRuntime {
  readonly guard: AccessGuard;
  /** Largest body read, bytes. */
  readonly bodyLimit: number;
  readonly logger: Logger;
  readonly audit: AuditLog;
}

/** One request as the router matched it. */
export interface MatchedRequest {
  readonly request: Request;
  /** Path parameters as matched (decoded). */
  readonly params: Readonly<Record<string, string>>;
  readonly requestId: string;
  /** The client's address (after `trustProxy`). */
  readonly client: string;
}

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Runs `route` for `matched`; never throws (every failure becomes an error answer).
 *
 * @remarks
 * Order: access first (401/403/429 before anything about the input is revealed), then the body
 * (413/415/400), then validation of params, query and body together (400 listing every field),
 * then the handler. A handler's coded error answers with its status; any other error is logged at
 * `error` with the request id and answered with a 500 that reveals nothing but that id.
 */
export async function runRoute(route: CompiledRoute, matched: MatchedRequest, runtime: RouteRuntime): Promise<Response> {
  const { request, requestId, client } = matched;
  const logger = runtime.logger.child({ requestId, route: route.label });
  const { def } = route;
  let identity: Identity | undefined;
  let input: { params: unknown; query: unknown; body: unknown } | undefined;
  let response: Response;
  let code: string | undefined;
  try {
    identity = await runtime.guard.identifyRequest(route.auth, request, client, route.label);
    runtime.guard.authorize(identity, route.auth, route.label);
    const body = def.body === undefined ? undefined : await readJsonBody(request, runtime.bodyLimit, route.label);
    const [params, query, parsedBody] = await validateInput(route.label, [
      { in: 'params', schema: def.params, value: { ...matched.params } },
      { in: 'query', schema: def.query, value: queryObject(new URL(request.url)) },
      { in: 'body', schema: def.body, value: body },
    ]);
    input = { params, query, body: parsedBody };
    const handlerInput = { params, query, body: parsedBody, identity, client, requestId, request, signal: request.signal, logger };
    const result: unknown = await def.handler(handlerInput as Parameters<typeof def.handler>[0]);
    response = toResponse(result, def.status ?? 200, requestId);
  } catch (error) {
    const refusal = isXcoreError(error) ? error : new HttpInternalError(route.label, requestId, { cause: error });
    code = refusal.code;
    response = answerError(refusal, error, requestId, logger);
  }
  if (!READ_METHODS.has(route.method) && def.audit !== false) {
    runtime.audit.record({
      time: new Date().toISOString(),
      requestId,
      actor: identity === undefined ? { kind: 'unknown', subject: 'unknown' } : { kind: identity.kind, subject: identity.subject },
      client,
      action: def.audit?.action ?? route.label,
      ...(await targetOf(route, matched.params, input?.params, logger)),
      result: auditResult(response.status),
      status: response.status,
      ...(code === undefined ? {} : { code }),
    });
  }
  return response;
}

/** A handler's result as a response: a `Response` as is, `undefined` as 204, anything else as JSON. */
function toResponse(result: unknown, status: number, requestId: string): Response {
  if (result instanceof Response) {
    try {
      if (!result.headers.has('x-request-id')) result.headers.set('x-request-id', requestId);
    } catch {
      // Immutable headers (Response.redirect, a fetched response): sent as they are.
    }
    return result;
  }
  if (result === undefined) return new Response(null, { status: 204, headers: { 'cache-control': 'no-store', 'x-request-id': requestId } });
  return jsonResponse(result, status, requestId);
}

/** The answer for `refusal` (the coded error, or a 500 wrapping `thrown`), logged by severity. */
function answerError(refusal: XcoreError, thrown: unknown, requestId: string, logger: Logger): Response {
  const status = statusOf(refusal);
  if (refusal !== thrown) logger.error({ err: thrown }, 'route handler threw');
  else if (status >= 500) logger.error({ err: refusal, status }, 'route failed');
  else logger.debug({ code: refusal.code, status }, 'request refused');
  return errorResponse(refusal, requestId);
}

/**
 * The audit target: the route's own `target` of the validated params (validated here when the
 * request was refused before validation), else the path parameters as `key=value&...`.
 */
async function targetOf(route: CompiledRoute, rawParams: Readonly<Record<string, string>>, validated: unknown, logger: Logger): Promise<{ target?: string }> {
  const audit = route.def.audit;
  if (audit !== false && audit?.target !== undefined) {
    let params = validated;
    if (params === undefined && route.def.params !== undefined) {
      const parsed = await route.def.params.safeParseAsync({ ...rawParams });
      params = parsed.success ? parsed.data : undefined;
    }
    try {
      const target = params === undefined && route.def.params !== undefined ? undefined : audit.target((params ?? { ...rawParams }) as never);
      if (target !== undefined) return { target: String(target) };
    } catch (err) {
      logger.warn({ err }, 'audit target of the route threw; the path parameters are logged instead');
    }
  }
  const pairs = route.paramNames.filter((name) => rawParams[name] !== undefined).map((name) => `${name}=${rawParams[name]}`);
  return pairs.length === 0 ? {} : { target: pairs.join('&') };
}
