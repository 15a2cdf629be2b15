/**
 * The OpenAPI 3.1 document: generated from route definitions, served at /admin/v1/openapi.json.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { whoamiResponseSchema } from '../admin/whoami-route.js';
import { call, expectError, serverPerTest, TOKENS } from '../http.fixtures.js';
import { compileRoute } from '../routes/compile-route.js';
import { defineRoute, type AnyRouteDefinition } from '../routes/route-definition.js';
import { openApiDocument, type JsonObject } from './openapi-document.js';

const startServer = serverPerTest();

const runJob = defineRoute({
  method: 'POST',
  path: '/jobs/:id/run',
  auth: 'operate',
  summary: 'Run a job now',
  tags: ['jobs'],
  params: z.object({ id: z.string().describe('Job id.') }),
  query: z.object({ wait: z.coerce.boolean().optional(), limit: z.coerce.number().int().default(10) }),
  body: z.object({ args: z.array(z.unknown()) }).optional(),
  response: z.object({ runId: z.string() }),
  status: 202,
  handler: () => ({ runId: 'r1' }),
});

describe('openApiDocument', () => {
  it('writes each route as an operation: path template, parameters, body, responses, scope', () => {
    const doc = openApiDocument([compileRoute(runJob as unknown as AnyRouteDefinition, '/x/admin/v1', 'test')], { title: 't', version: '1', serverUrl: 'http://127.0.0.1:9/x' });
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.servers).toEqual([{ url: 'http://127.0.0.1:9' }]);
    const op = (doc.paths as Record<string, Record<string, JsonObject>>)['/x/admin/v1/jobs/{id}/run']!.post!;
    expect(op).toMatchObject({ operationId: 'postXAdminV1JobsByIdRun', summary: 'Run a job now', tags: ['jobs'], security: [{ bearer: ['operate'] }] });
    expect(op.parameters).toEqual([
      { name: 'id', in: 'path', required: true, description: 'Job id.', schema: { type: 'string' } },
      { name: 'wait', in: 'query', required: false, schema: { type: 'boolean' } },
      { name: 'limit', in: 'query', required: false, schema: expect.objectContaining({ type: 'integer', default: 10 }) },
    ]);
    expect(op.requestBody).toMatchObject({ required: false, content: { 'application/json': { schema: { type: 'object', required: ['args'] } } } });
    const responses = op.responses as Record<string, JsonObject>;
    expect(Object.keys(responses)).toEqual(['202', '400', '401', '403', '404', '429', '500']);
    expect(responses['202']).toMatchObject({ content: { 'application/json': { schema: { type: 'object', required: ['runId'] } } } });
    expect(responses['403']).toMatchObject({ content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });
    expect((doc.components as JsonObject).schemas).toHaveProperty('Error.properties.error.required', ['status', 'code', 'name', 'message', 'requestId']);
  });
});

describe('GET /admin/v1/openapi.json', () => {
  it('needs read, documents every admin route, and whoami answers what it documents', async () => {
    const host = await startServer({ basePath: '/ops' });
    expectError(await call(`${host.url}/admin/v1/openapi.json`), 401, 'XCORE_ERR_HTTP_UNAUTHENTICATED');
    const doc = (await call(`${host.url}/admin/v1/openapi.json`, { token: TOKENS.read })).body as JsonObject;
    const paths = doc.paths as Record<string, Record<string, JsonObject>>;
    expect(Object.keys(paths)).toEqual([
      '/ops/admin/v1/whoami', '/ops/admin/v1/services', '/ops/admin/v1/scheduler', '/ops/admin/v1/runs', '/ops/admin/v1/runs/{requestId}', '/ops/admin/v1/jobs',
      '/ops/admin/v1/jobs/{id}', '/ops/admin/v1/jobs/{id}/history', '/ops/admin/v1/jobs/{id}/next', '/ops/admin/v1/jobs/{id}/run', '/ops/admin/v1/jobs/{id}/pause',
      '/ops/admin/v1/jobs/{id}/resume', '/ops/admin/v1/jobs/{id}/trigger', '/ops/admin/v1/plugins', '/ops/admin/v1/plugins/{name}',
      '/ops/admin/v1/plugins/{name}/reload', '/ops/admin/v1/events', '/ops/admin/v1/openapi.json', '/ops/scheduler/run/{jobId}',
    ]);
    const scopes = Object.entries(paths).flatMap(([path, operations]) => Object.entries(operations).map(([method, op]) => {
      expect(op.security).toEqual([{ bearer: [op['x-xcore-scope']] }]);
      return `${method} ${path.replace('/ops', '')} ${String(op['x-xcore-scope'])}`;
    }));
    expect(scopes.filter((s) => !s.startsWith('get ') && !s.endsWith(' read'))).toEqual([
      'delete /admin/v1/jobs/{id} admin', 'post /admin/v1/jobs/{id}/run operate', 'post /admin/v1/jobs/{id}/pause operate',
      'post /admin/v1/jobs/{id}/resume operate', 'put /admin/v1/jobs/{id}/trigger operate', 'post /admin/v1/plugins/{name}/reload admin', 'post /scheduler/run/{jobId} operate',
    ]);
    expect(scopes.filter((s) => s.startsWith('get ')).every((s) => s.endsWith(' read'))).toBe(true);
    const whoami = (await call(`${host.url}/admin/v1/whoami`, { token: TOKENS.operate })).body;
    expect(whoamiResponseSchema.parse(whoami)).toEqual({ kind: 'token', subject: 'operate-bot', scopes: ['read', 'operate'], client: '127.0.0.1' });
  });
});
