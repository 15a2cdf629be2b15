/**
 * Test fixtures: an http server built in process from a `services.http` section, listening on a
 * free port, with its log lines and audit events kept for assertions.
 */
import { request as httpRequest } from 'node:http';
import { createEventBus } from '@xcore/core';
import { afterEach } from 'vitest';
import { z } from 'zod';
import { memoryLogger } from '../../core/src/kernel/kernel.fixtures.js';
import type { AuditEntry } from './audit/audit-log.js';
import { httpConfigSchema } from './config/http-config.js';
import { createHttpServer, type HttpCreateContext } from './service/http-definition.js';
import type { HttpServer } from './server/http-server.js';

/** A plain token granting each scope, as the fixtures configure them. */
export const TOKENS = {
  read: 'read-token-0123456789abcdef',
  operate: 'operate-token-0123456789abcdef',
  admin: 'admin-token-0123456789abcdef',
} as const;

/** The `auth.tokens` of {@link TOKENS}. */
export const TOKEN_CONFIG = Object.entries(TOKENS).map(([scope, token]) => ({ id: `${scope}-bot`, token, scopes: [scope] }));

/** A running fixture server. */
export interface TestServer {
  readonly server: HttpServer;
  /** `http://127.0.0.1:<port>` plus the base path. */
  readonly url: string;
  readonly port: number;
  /** Every log line, parsed. */
  readonly lines: Record<string, unknown>[];
  /** Every `http.audit` event emitted. */
  readonly audits: AuditEntry[];
  close(): Promise<void>;
}

/**
 * Builds and starts a server from a `services.http` section (`port: 0` and `enabled: true` are
 * filled in) with the given clock.
 */
export async function startServer(section: Record<string, unknown> = {}, options: Pick<HttpCreateContext, 'now' | 'getService' | 'plugins' | 'keepAliveMs'> = {}): Promise<TestServer> {
  const { logger, lines } = memoryLogger();
  const events = createEventBus(logger);
  const audits: AuditEntry[] = [];
  events.on('http.audit', (entry) => void audits.push(entry));
  const config = httpConfigSchema.parse({ enabled: true, port: 0, auth: { tokens: TOKEN_CONFIG }, ...section });
  const server = createHttpServer({ config, logger, events, configFile: '', ...options });
  const address = await server.start();
  return { server, url: address.url, port: address.port, lines, audits, close: () => server.stop(1000) };
}

/**
 * Registers an `afterEach` that closes the server started by the returned function, so each test
 * starts its own: `const start = serverPerTest(); ... const host = await start({...})`.
 */
export function serverPerTest(): typeof startServer {
  let current: TestServer | undefined;
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  return async (section, options) => (current = await startServer(section, options));
}

/** A request's answer: status, headers and the body parsed as JSON when it is JSON. */
export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: unknown;
  readonly text: string;
}

/** `fetch` that reads the whole answer (and parses JSON bodies). */
export async function call(url: string, init: RequestInit & { token?: string } = {}): Promise<Answer> {
  const headers = new Headers(init.headers);
  if (init.token !== undefined) headers.set('authorization', `Bearer ${init.token}`);
  const response = await fetch(url, { ...init, headers });
  const text = await response.text();
  let body: unknown = text;
  if ((response.headers.get('content-type') ?? '').includes('json')) body = JSON.parse(text) as unknown;
  return { status: response.status, headers: response.headers, body, text };
}

/**
 * Sends a request with a raw request target and raw headers through `node:http` (fetch would
 * normalise the path), resolving with status and body text.
 */
export function rawCall(port: number, method: string, path: string, headers: Record<string, string> = {}, body?: Buffer | string): Promise<{ status: number; text: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), headers: res.headers }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Zod schema of the error shape, to assert answers against. */
export const errorShape = z.strictObject({
  error: z.strictObject({
    status: z.number().int().min(400).max(599),
    code: z.string().regex(/^XCORE_ERR_[A-Z0-9_]+$/),
    name: z.string().min(1),
    message: z.string().min(1),
    requestId: z.string().min(1),
    issues: z.array(z.strictObject({ in: z.enum(['params', 'query', 'body']), path: z.string(), message: z.string() })).optional(),
  }),
});

/** Asserts (throws) that `answer` is an error answer with the shape, the given status and code. */
export function expectError(answer: Answer, status: number, code: string): z.output<typeof errorShape>['error'] {
  const parsed = errorShape.safeParse(answer.body);
  if (!parsed.success) throw new Error(`not the error shape (${answer.status}): ${answer.text}`);
  const { error } = parsed.data;
  if (answer.status !== status || error.status !== status || error.code !== code) {
    throw new Error(`expected ${status} ${code}, got ${answer.status} ${error.code}: ${error.message}`);
  }
  if (answer.headers.get('x-request-id') !== error.requestId) throw new Error('x-request-id header and body requestId differ');
  return error;
}
