/**
 * fast-check arbitraries for `xcore.yaml`: values generated from a JSON Schema (mostly what it
 * asks for, sometimes anything else), and a YAML writer for them in block or flow style.
 */
import fc from 'fast-check';

/** The part of JSON Schema `configJsonSchema` emits. */
export interface JsonSchema {
  readonly type?: string | readonly string[];
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly additionalProperties?: boolean | JsonSchema;
  readonly items?: JsonSchema;
  readonly anyOf?: readonly JsonSchema[];
  readonly oneOf?: readonly JsonSchema[];
  readonly enum?: readonly unknown[];
  readonly const?: unknown;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly minLength?: number;
  readonly minItems?: number;
  readonly pattern?: string;
  readonly required?: readonly string[];
}

/** A scalar written into the YAML as is (`.nan`, `~`, `0x1F`), for the forms JSON has no words for. */
export class RawYaml {
  constructor(readonly text: string) {}
}

/** Strings a config tends to hold, right and wrong: zones, cron, dates, durations, paths, URLs. */
const TELLING_STRINGS = [
  '', ' ', '*', 'UTC', 'Europe/Berlin', 'America/New_York', 'Mars/Olympus', 'utc', '* * * * *', '0 3 * * *', '*/5 * * * * *',
  '@daily', '@never', '61 * * * *', '* * *', '0 0 31 2 *', '2026-01-01T00:00:00Z', '2026-02-30', 'not a date', '1e400',
  '5s', '1h30m', '250ms', '-5s', '10 min', '0', 'redis://127.0.0.1:6379', 'host:1', './jobs/a.ts:run', 'pkg:run', ':',
  'a:b:c', 'memory', 'redis', 'all', 'latest', 'queue', 'info', 'verbose', '${HOST}', '${NOPE}', '$${x}', '__proto__',
];

const RAW_SCALARS = ['~', 'null', '.nan', '.inf', '-.inf', '0x1F', '0o17', '1e3', '-0', 'yes', 'on', '2026-01-01', '"\\ud800"'];

/** Anything a YAML value can be: scalars of every kind, lists, maps. */
export const anyValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(...TELLING_STRINGS),
    fc.string({ maxLength: 12 }),
    fc.integer(),
    fc.double(),
    fc.constantFrom(0, -1, 2 ** 31, 2 ** 53 + 2, Number.MAX_VALUE, 1e-300),
    fc.boolean(),
    fc.constant(null),
    fc.constantFrom(...RAW_SCALARS).map((text) => new RawYaml(text)),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom('a', 'id', 'type', 'x y', '', '__proto__', 'constructor'), tie('value'), { maxKeys: 3 }),
  ),
})).value;

/**
 * Values for `schema`: what it describes four times in five (every property optional, each
 * with its own values), anything else otherwise; objects sometimes get an unknown key.
 */
export function jsonSchemaValue(schema: JsonSchema, options: { depth: number }): fc.Arbitrary<unknown> {
  const depth = options.depth + 1;
  return fc.oneof({ weight: 4, arbitrary: conforming(schema, depth) }, { weight: 1, arbitrary: anyValue });
}

function conforming(schema: JsonSchema, depth: number): fc.Arbitrary<unknown> {
  const branches = schema.anyOf ?? schema.oneOf;
  if (branches !== undefined) return fc.oneof(...branches.map((branch) => jsonSchemaValue(branch, { depth })));
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum !== undefined) return fc.constantFrom(...schema.enum);
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'object':
      return objectValue(schema, depth);
    case 'array': {
      if (depth > 6) return fc.constant([]);
      const items = schema.items === undefined ? anyValue : jsonSchemaValue(schema.items, { depth });
      return fc.array(items, { minLength: 0, maxLength: Math.max(3, schema.minItems ?? 0) });
    }
    case 'string':
      return schema.pattern !== undefined
        ? fc.oneof(fc.stringMatching(new RegExp(schema.pattern)), fc.constantFrom(...TELLING_STRINGS))
        : fc.oneof(fc.constantFrom(...TELLING_STRINGS), fc.string({ minLength: schema.minLength ?? 0, maxLength: 16 }));
    case 'integer':
    case 'number': {
      const min = schema.minimum ?? -1e6;
      const max = schema.maximum ?? 1e9;
      const inRange = type === 'integer' ? fc.integer({ min: Math.ceil(min), max: Math.floor(max) }) : fc.double({ min, max, noNaN: true });
      return fc.oneof(inRange, fc.constantFrom(min, max, min - 1, max + 1, 0.5, -1, Number.NaN, Number.POSITIVE_INFINITY));
    }
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    default:
      return anyValue;
  }
}

function objectValue(schema: JsonSchema, depth: number): fc.Arbitrary<unknown> {
  const properties = schema.properties ?? {};
  const known = Object.fromEntries(Object.entries(properties).map(([key, child]) => [key, jsonSchemaValue(child, { depth })]));
  const record = fc.record(known, { requiredKeys: [] });
  const free = typeof schema.additionalProperties === 'object' ? fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), anyValue, { maxKeys: 2 }) : fc.constant({});
  const unknownKey = fc.option(fc.tuple(fc.constantFrom('colour', 'timeoutMs', 'jobz', 'Enabled', '__proto__'), anyValue), { freq: 8 });
  return fc.tuple(record, free, unknownKey).map(([values, extra, stray]) => {
    const out: Record<string, unknown> = { ...extra, ...values };
    if (stray !== null) Object.defineProperty(out, stray[0], { value: stray[1], enumerable: true, writable: true, configurable: true });
    return out;
  });
}

/** Writes `value` as a YAML document, in block style (maps and lists on lines) or flow style. */
export function emitYaml(value: unknown, flow: boolean): string {
  if (flow || !isMap(value)) return `${flowText(value)}\n`;
  return blockLines(value, 0).join('\n') + '\n';
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof RawYaml);
}

function scalarText(value: unknown): string {
  if (value instanceof RawYaml) return value.text;
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return '.nan';
    if (!Number.isFinite(value)) return value > 0 ? '.inf' : '-.inf';
    return Object.is(value, -0) ? '-0' : String(value);
  }
  if (typeof value === 'string') return JSON.stringify(value);
  return value === undefined ? 'null' : String(value);
}

function flowText(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(flowText).join(', ')}]`;
  if (isMap(value)) return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${flowText(v)}`).join(', ')}}`;
  return scalarText(value);
}

function blockLines(value: Record<string, unknown>, indent: number): string[] {
  const pad = ' '.repeat(indent);
  const lines: string[] = [];
  for (const [key, child] of Object.entries(value)) {
    const head = `${pad}${JSON.stringify(key)}:`;
    if (isMap(child) && Object.keys(child).length > 0) {
      lines.push(head, ...blockLines(child, indent + 2));
    } else if (Array.isArray(child) && child.length > 0) {
      lines.push(head);
      for (const item of child) {
        if (isMap(item) && Object.keys(item).length > 0) {
          const [first, ...rest] = blockLines(item, indent + 4);
          lines.push(`${pad}  - ${first!.trimStart()}`, ...rest);
        } else {
          lines.push(`${pad}  - ${flowText(item)}`);
        }
      }
    } else {
      lines.push(`${head} ${flowText(child)}`);
    }
  }
  return lines;
}
