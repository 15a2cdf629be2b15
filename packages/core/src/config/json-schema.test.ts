import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { ServiceDefinition } from '../services/service.js';
import { duration } from './duration.js';
import { configJsonSchema } from './json-schema.js';

const queue = {
  name: 'queue',
  configSchema: z.strictObject({ concurrency: z.number().int().positive().default(4), pollEvery: duration().default(1000) }),
  create: () => ({}),
} as unknown as ServiceDefinition;

type Schema = Record<string, unknown>;

const KEYWORDS = new Set([
  '$schema', '$id', 'title', 'description', 'default', 'type', 'properties', 'required', 'additionalProperties',
  'propertyNames', 'items', 'anyOf', 'oneOf', 'allOf', 'enum', 'const', 'minimum', 'maximum', 'exclusiveMinimum',
  'exclusiveMaximum', 'minLength', 'maxLength', 'pattern', 'minItems', 'maxItems', 'format',
]);
const TYPES = new Set(['object', 'array', 'string', 'number', 'integer', 'boolean', 'null']);

/** Walks every subschema and returns the problems that would make it invalid JSON Schema. */
function problems(schema: unknown, where = '#'): string[] {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return [`${where}: not an object`];
  const out: string[] = [];
  for (const [key, value] of Object.entries(schema)) {
    if (!KEYWORDS.has(key)) out.push(`${where}: unknown keyword ${key}`);
    if (key === 'type' && !TYPES.has(value as string)) out.push(`${where}: bad type ${String(value)}`);
    if (key === 'properties') for (const [name, sub] of Object.entries(value as Schema)) out.push(...problems(sub, `${where}/properties/${name}`));
    if ((key === 'items' || key === 'additionalProperties' || key === 'propertyNames') && typeof value === 'object') out.push(...problems(value, `${where}/${key}`));
    if (key === 'anyOf' || key === 'oneOf' || key === 'allOf') (value as unknown[]).forEach((sub, i) => out.push(...problems(sub, `${where}/${key}/${i}`)));
  }
  return out;
}

describe('configJsonSchema', () => {
  const schema = configJsonSchema([queue]);
  const properties = schema.properties as Record<string, Schema>;
  const section = (name: string) => properties[name]!.properties as Record<string, Schema>;

  it('is draft 2020-12 JSON Schema made only of known keywords and survives JSON', () => {
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(problems(schema)).toEqual([]);
    expect(JSON.parse(JSON.stringify(schema))).toEqual(schema);
  });

  it('is strict at every level the core owns', () => {
    expect(schema.additionalProperties).toBe(false);
    for (const name of ['app', 'logging', 'plugins', 'services']) expect(properties[name]!.additionalProperties, name).toBe(false);
    expect(section('services').queue!.additionalProperties).toBe(false);
  });

  it('shows durations as a number or duration text', () => {
    const hookTimeout = section('plugins').hookTimeoutMs!;
    expect(hookTimeout.anyOf).toEqual([
      { type: 'number', minimum: 0 },
      { type: 'string', pattern: '^\\s*(\\d+(\\.\\d+)?\\s*(ms|s|m|h|d|w)\\s*)+$' },
    ]);
    const pattern = new RegExp((hookTimeout.anyOf as Schema[])[1]!.pattern as string);
    expect(['5s', '1h30m', '1h 30m', '250ms'].filter((t) => pattern.test(t))).toEqual(['5s', '1h30m', '1h 30m', '250ms']);
    expect(['soon', '5', '5 sec'].filter((t) => pattern.test(t))).toEqual([]);
  });

  it("holds each service's section with its own schema, and the core sections' defaults", () => {
    expect(Object.keys(section('services'))).toEqual(['queue']);
    expect(section('services').queue!.properties).toMatchObject({ concurrency: { type: 'integer', exclusiveMinimum: 0, default: 4 } });
    expect(section('logging').level).toMatchObject({ default: 'info', enum: ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] });
    expect(section('logging').pretty).toEqual({ type: 'boolean', description: expect.any(String) });
    expect(section('plugins').enabled!.anyOf).toEqual([{ type: 'string', const: '*' }, { type: 'array', items: { type: 'string', minLength: 1 } }]);
    expect(properties.$schema).toMatchObject({ type: 'string' });
  });
});
