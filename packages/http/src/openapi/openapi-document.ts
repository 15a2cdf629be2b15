/**
 * The OpenAPI 3.1 document of a set of routes, generated from their definitions and zod schemas.
 */
import { z } from 'zod';
import type { CompiledRoute } from '../routes/compile-route.js';

/** A JSON Schema or OpenAPI object (plain JSON). */
export type JsonObject = { [key: string]: unknown };

/** Title, version and server of the document. */
export interface OpenApiInfo {
  readonly title: string;
  readonly version: string;
  readonly description?: string;
  /** The server URL (base path included); omitted when the server does not listen yet. */
  readonly serverUrl?: string;
}

/** Zod schema of the error body every error answer has (see `ErrorBody`). */
export const errorBodySchema = z
  .object({
    error: z.object({
      status: z.number().int().describe('The HTTP status.'),
      code: z.string().describe('Stable error code, e.g. XCORE_ERR_HTTP_VALIDATION.'),
      name: z.string().describe('Class name of the coded error, e.g. HttpValidationError.'),
      message: z.string().describe('What was wrong and what to do.'),
      requestId: z.string().describe('Id of the request, also in the x-request-id header and the server log.'),
      issues: z
        .array(z.object({ in: z.enum(['params', 'query', 'body']), path: z.string(), message: z.string() }))
        .optional()
        .describe('Each invalid field (validation errors only).'),
    }),
  })
  .meta({ title: 'Error' });

const ERROR_RESPONSES: ReadonlyArray<readonly [string, string]> = [
  ['400', 'Invalid input: the issues name each field.'],
  ['401', 'No credential, a malformed one, or one that does not verify.'],
  ['403', 'The credential lacks the scope this route needs.'],
  ['404', 'Not found.'],
  ['429', 'Too many failed authentications from this client; see Retry-After.'],
  ['500', 'Internal error; the server log has it under the request id.'],
];

/** JSON Schema of a zod schema for OpenAPI 3.1 (draft 2020-12), `{}` when it cannot be expressed. */
function jsonSchema(schema: unknown, io: 'input' | 'output'): JsonObject {
  try {
    const out = z.toJSONSchema(schema as z.ZodType, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as JsonObject;
    delete out.$schema;
    return out;
  } catch {
    return {};
  }
}

/** One OpenAPI parameter per key of an object schema (`in: path` or `in: query`). */
function parameters(schema: unknown, where: 'path' | 'query'): JsonObject[] {
  if (schema === undefined) return [];
  const object = jsonSchema(schema, 'input');
  const properties = (object.properties ?? {}) as Record<string, JsonObject>;
  const required = new Set((object.required ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => {
    const { description, ...rest } = property;
    return {
      name,
      in: where,
      required: where === 'path' || required.has(name),
      ...(typeof description === 'string' ? { description } : {}),
      schema: rest,
    };
  });
}

function operation(route: CompiledRoute): JsonObject {
  const { def } = route;
  const okStatus = String(def.status ?? 200);
  const ok: JsonObject =
    def.response === undefined
      ? { description: 'Success.' }
      : { description: 'Success.', content: { 'application/json': { schema: jsonSchema(def.response, 'output') } } };
  const common = ERROR_RESPONSES.filter(([status]) => route.auth !== 'public' || (status !== '401' && status !== '403' && status !== '429'));
  const errors = Object.fromEntries(
    [...common, ...Object.entries(def.errorResponses ?? {})].sort(([a], [b]) => Number(a) - Number(b)).map(([status, description]) => [
      status,
      { description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
    ]),
  );
  const body = def.body;
  return {
    operationId: def.operationId ?? operationId(route),
    ...(def.summary === undefined ? {} : { summary: def.summary }),
    ...(def.description === undefined ? {} : { description: def.description }),
    ...(def.tags === undefined ? {} : { tags: [...def.tags] }),
    security: route.auth === 'public' ? [] : [{ bearer: [route.auth] }],
    'x-xcore-scope': route.auth,
    parameters: [...parameters(def.params, 'path'), ...parameters(def.query, 'query')],
    ...(body === undefined
      ? {}
      : { requestBody: { required: !body.safeParse(undefined).success, content: { 'application/json': { schema: jsonSchema(body, 'input') } } } }),
    responses: { [okStatus]: ok, ...otherResponses(route), ...errors },
  };
}

/** The route's other success answers (`otherResponses`). */
function otherResponses(route: CompiledRoute): Record<string, JsonObject> {
  const out: Record<string, JsonObject> = {};
  for (const [status, answer] of Object.entries(route.def.otherResponses ?? {})) {
    if (answer === undefined) continue;
    out[status] = answer.schema === undefined
      ? { description: answer.description }
      : { description: answer.description, content: { 'application/json': { schema: jsonSchema(answer.schema, 'output') } } };
  }
  return out;
}

/** `getJobsById` style id from method and path. */
function operationId(route: CompiledRoute): string {
  const words = route.fullPath
    .split('/')
    .filter((s) => s !== '')
    .map((s) => (s.startsWith(':') ? `By${cap(s.slice(1))}` : cap(s.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ?? '').toUpperCase()))));
  return `${route.method.toLowerCase()}${words.join('')}`;
}

function cap(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * Builds the OpenAPI 3.1 document of `routes`.
 *
 * @remarks
 * Paths are the routes' full paths (base path included) with `:id` written `{id}`. Parameters,
 * request bodies and responses come from the zod schemas (`z.toJSONSchema`, draft 2020-12, which
 * OpenAPI 3.1 uses as is). Each operation lists the bearer scheme with the scope it needs (also in
 * `x-xcore-scope`), and the error answers with the shared `Error` schema.
 */
export function openApiDocument(routes: readonly CompiledRoute[], info: OpenApiInfo): JsonObject {
  const paths: Record<string, JsonObject> = {};
  for (const route of routes) {
    const path = route.fullPath.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}');
    paths[path] = { ...paths[path], [route.method.toLowerCase()]: operation(route) };
  }
  return {
    openapi: '3.1.0',
    info: { title: info.title, version: info.version, ...(info.description === undefined ? {} : { description: info.description }) },
    ...(info.serverUrl === undefined ? {} : { servers: [{ url: new URL(info.serverUrl).origin }] }),
    paths,
    components: {
      schemas: { Error: jsonSchema(errorBodySchema, 'output') },
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description: 'A token from services.http.auth.tokens, or a JWT. Scopes: read < operate < admin (each implies the ones before).',
        },
      },
    },
  };
}
