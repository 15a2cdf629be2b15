/**
 * One HTTP(S) request to the host over `node:http`/`node:https` (the server's own certificate can
 * be trusted per request, which `fetch` cannot do without a dispatcher), with connection problems
 * turned into {@link CliHostUnreachableError}.
 */
import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { CliHostUnreachableError } from '../errors.js';
import type { HostTarget } from './host-target.js';

/** A request relative to the host's base URL. */
export interface RequestSpec {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Path after the base URL, starting with `/` (`/admin/v1/jobs`). */
  readonly path: string;
  /** Query parameters; `undefined` values are left out. */
  readonly query?: Readonly<Record<string, string | number | boolean | undefined>>;
  /** JSON body. */
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  readonly signal?: AbortSignal;
  /**
   * Longest wait for the answer's headers and for a pause in its body, ms; past it the host counts
   * as unreachable. A stream (`stream: true`) has no body timeout.
   * @defaultValue `30000`
   */
  readonly timeoutMs?: number;
}

/** A complete answer. */
export interface HttpAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly text: string;
  /** The full URL asked. */
  readonly url: string;
}

/** The full URL of `spec` on `target`. */
export function requestUrl(target: HostTarget, spec: Pick<RequestSpec, 'path' | 'query'>): string {
  const url = new URL(`${target.url}${spec.path}`);
  for (const [key, value] of Object.entries(spec.query ?? {})) if (value !== undefined) url.searchParams.set(key, String(value));
  return url.toString();
}

/** A short description of a connection failure. */
function problemOf(error: unknown, timeoutMs: number): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const message = (error instanceof Error ? error.message : String(error)).split('\n')[0]!.trim();
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused (nothing listens on that port)';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'the host name does not resolve';
    case 'ECONNRESET':
    case 'EPIPE':
      return 'the connection was reset';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'no route to the host';
    case 'XCORE_TIMEOUT':
      return `no answer within ${timeoutMs} ms`;
    case 'EPROTO':
    case 'ERR_SSL_WRONG_VERSION_NUMBER':
      return `the TLS handshake failed (${message}); the server may speak plain http rather than https, or the other way round`;
    default:
      if (typeof code === 'string' && /CERT|SSL|TLS|SELF_SIGNED|ERR_TLS/.test(code)) {
        return `the server's certificate is not trusted (${code}: ${message}); add its CA with NODE_EXTRA_CA_CERTS`;
      }
      return `${code === undefined ? '' : `${code}: `}${message}`;
  }
}

/**
 * Sends `spec` and resolves with the answer's response object once its headers arrived.
 *
 * @throws {@link CliHostUnreachableError} when no answer arrives.
 */
export function openRequest(target: HostTarget, spec: RequestSpec, options: { stream?: boolean } = {}): Promise<IncomingMessage> {
  const url = requestUrl(target, spec);
  const timeoutMs = spec.timeoutMs ?? 30_000;
  const parsed = new URL(url);
  const body = spec.body === undefined ? undefined : Buffer.from(JSON.stringify(spec.body));
  const headers: Record<string, string> = {
    accept: options.stream === true ? 'text/event-stream' : 'application/json',
    'user-agent': 'xcore-cli',
    ...(target.token === undefined ? {} : { authorization: `Bearer ${target.token}` }),
    ...(body === undefined ? {} : { 'content-type': 'application/json', 'content-length': String(body.length) }),
    ...spec.headers,
  };
  const send = parsed.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolvePromise, reject) => {
    const fail = (error: unknown): void => {
      if (spec.signal?.aborted === true) reject(spec.signal.reason);
      else reject(new CliHostUnreachableError(`${parsed.origin}${parsed.pathname}`, target.source, problemOf(error, timeoutMs), { cause: error }));
    };
    const req = send(url, { method: spec.method, headers, ...(target.ca === undefined ? {} : { ca: [...target.ca] }), ...(spec.signal === undefined ? {} : { signal: spec.signal }) }, (res) => {
      clearTimeout(timer);
      if (options.stream !== true) res.setTimeout(timeoutMs, () => res.destroy(Object.assign(new Error('body timeout'), { code: 'XCORE_TIMEOUT' })));
      resolvePromise(res);
    });
    const timer = setTimeout(() => req.destroy(Object.assign(new Error('timeout'), { code: 'XCORE_TIMEOUT' })), timeoutMs);
    req.on('error', (error) => {
      clearTimeout(timer);
      fail(error);
    });
    req.end(body);
  });
}

/**
 * Sends `spec` and resolves with the whole answer.
 *
 * @throws {@link CliHostUnreachableError} when no complete answer arrives.
 */
export async function sendRequest(target: HostTarget, spec: RequestSpec): Promise<HttpAnswer> {
  const res = await openRequest(target, spec);
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of res) chunks.push(chunk as Buffer);
  } catch (error) {
    if (spec.signal?.aborted === true) throw spec.signal.reason;
    throw new CliHostUnreachableError(requestUrl(target, { path: spec.path }), target.source, problemOf(error, spec.timeoutMs ?? 30_000), { cause: error });
  }
  return { status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8'), url: requestUrl(target, spec) };
}
