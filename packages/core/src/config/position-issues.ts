/**
 * Turns zod issues into {@link ConfigIssue}s that point at `file:line:col` with a key path, what
 * was expected and what was found.
 */
import { z } from 'zod';
import { formatConfigPath, toConfigPath } from './config-path.js';
import { editDistance } from './edit-distance.js';
import type { ConfigIssue, ConfigPathSegment, LoadedConfig, SourcePosition } from './types.js';

/** A zod 4 issue, as found in `error.issues` of a failed `safeParse`. */
export type ZodIssue = z.core.$ZodIssue;

/** Where a config came from: enough of a {@link LoadedConfig} to position issues. */
export type ConfigLocator = Pick<LoadedConfig, 'file' | 'locate' | 'locateValue'>;

/**
 * Positions zod issues found while validating the sub-tree of `loaded` at `basePath`.
 *
 * @remarks
 * Pass `reportInput: true` to `safeParse` so each issue can say what it found. An unknown key
 * points at the key, every other issue at the value (or, for a missing key, at the closest
 * entry that exists). A union issue reports the branch that matched deepest, or what any
 * branch expected. A custom issue reports `params.expected` when set (the `expected X, found Y`
 * form), otherwise its message as written. Pass `schema` (the one that produced the issues) to
 * list the known keys on an unknown-key issue, and with it `input` (the value it checked) to name
 * the list item an issue is in: when the item's schema has a `title` (zod `.meta({ title: 'job' })`)
 * and the item is a map with a string `id`, the key path is followed by `(job "nightly")`.
 *
 * @example
 * ```ts
 * const result = jobSchema.safeParse(raw, { reportInput: true });
 * if (!result.success) {
 *   throw new ConfigInvalidError(positionIssues(loaded, ['services', 'scheduler', 'jobs', 2], result.error.issues));
 * }
 * ```
 */
export function positionIssues(
  loaded: ConfigLocator,
  basePath: readonly ConfigPathSegment[],
  issues: readonly ZodIssue[],
  schema?: z.ZodType,
  input?: unknown,
): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  const context: Context = { loaded, schemaDepth: basePath.length, schema, input, out };
  for (const issue of issues) collect(context, [...basePath], issue);
  return out.sort((a, b) => a.line - b.line || a.col - b.col || a.path.localeCompare(b.path));
}

/**
 * Builds one positioned issue from its parts (`message` is derived), for problems found outside
 * zod, such as a job whose module has no such export.
 *
 * @remarks
 * `at: 'key'` points at where the entry is written (use it for keys that should not be there),
 * `'value'` at its value; both fall back to the closest existing ancestor.
 *
 * @example
 * ```ts
 * throw new ConfigInvalidError([
 *   makeIssue(loaded, ['services', 'scheduler', 'jobs', 2, 'func'], 'a module exporting "run"', 'no export "run" in ./jobs/report.ts'),
 * ]);
 * ```
 */
export function makeIssue(
  loaded: ConfigLocator,
  path: readonly ConfigPathSegment[],
  expected: string,
  found: string,
  at: 'key' | 'value' = 'value',
): ConfigIssue {
  return issueAt(loaded, path, expected, found, at, undefined);
}

const START: SourcePosition = { line: 1, col: 1 };

/** {@link makeIssue}, with the list item the path is in named after the key path when known. */
function issueAt(
  loaded: ConfigLocator,
  path: readonly ConfigPathSegment[],
  expected: string,
  found: string,
  at: 'key' | 'value',
  item: string | undefined,
): ConfigIssue {
  const position = (at === 'key' ? loaded.locate(path) : (loaded.locateValue ?? loaded.locate)(path)) ?? START;
  const formatted = formatConfigPath(path);
  return {
    kind: 'schema',
    file: loaded.file,
    line: position.line,
    col: position.col,
    path: formatted,
    expected,
    found,
    message: `${heading(formatted, item)}: expected ${expected}, found ${found}`,
  };
}

/** The start of an issue's message: its key path, then the named list item it is in, if any. */
function heading(formattedPath: string, item: string | undefined): string {
  return `${formattedPath || '(root)'}${item === undefined ? '' : ` (${item})`}`;
}

/** What {@link collect} needs besides the issue: where issues go and how to describe them. */
interface Context {
  readonly loaded: ConfigLocator;
  /** Length of the base path: the issue path past it is a path inside `schema` and `input`. */
  readonly schemaDepth: number;
  readonly schema: z.ZodType | undefined;
  readonly input: unknown;
  readonly out: ConfigIssue[];
}

function collect(context: Context, prefix: readonly ConfigPathSegment[], issue: ZodIssue): void {
  const { loaded, schemaDepth, schema, out } = context;
  const path = [...prefix, ...toConfigPath(issue.path)];
  const input = (issue as { input?: unknown }).input;
  const item = schema === undefined ? undefined : itemNameAt(schema, path.slice(schemaDepth), context.input);
  const push = (at: readonly ConfigPathSegment[], expected: string, found: string, where: 'key' | 'value' = 'value'): void => {
    out.push(issueAt(loaded, at, expected, found, where, item));
  };
  switch (issue.code) {
    case 'unrecognized_keys': {
      const known = schema === undefined ? undefined : knownKeysAt(schema, path.slice(schemaDepth), input);
      for (const key of issue.keys) {
        const hint = known === undefined ? undefined : closest(key, known);
        const expected = known === undefined ? 'a known key' : known.length === 0 ? 'no key here' : `one of the known keys (${known.join(', ')})`;
        const found = `unknown key ${JSON.stringify(key)}${hint === undefined ? '' : ` (did you mean ${JSON.stringify(hint)}?)`}`;
        push([...path, key], expected, found, 'key');
      }
      return;
    }
    case 'invalid_union': {
      if (issue.message.startsWith('expected ')) {
        // No branch has this discriminator (`type: weekly`): what was found is the discriminator's value.
        const discriminator = (issue as { discriminator?: unknown }).discriminator;
        const found = typeof discriminator === 'string' && isRecord(input) ? describe(input[discriminator]) : describe(input);
        push(path, issue.message.slice('expected '.length), found);
        return;
      }
      const deep = issue.errors.filter((branch) => branch.length > 0 && branch.every((inner) => inner.path.length > 0));
      if (deep.length === 1) {
        for (const inner of deep[0]!) collect(context, path, inner);
        return;
      }
      const expected = [...new Set(issue.errors.map((branch) => (branch[0] === undefined ? 'something else' : expectation(branch[0]))))];
      push(path, expected.join(' or '), describe(input));
      return;
    }
    case 'custom': {
      const params = (issue as { params?: { expected?: unknown } }).params;
      if (typeof params?.expected === 'string') {
        push(path, params.expected, describe(input));
      } else {
        const base = issueAt(loaded, path, issue.message, describe(input), 'value', item);
        out.push({ ...base, message: `${heading(base.path, item)}: ${issue.message}` });
      }
      return;
    }
    default:
      push(path, expectation(issue), input === undefined && issue.code === 'invalid_type' ? 'nothing (the key is missing)' : describe(input));
  }
}

/** What an issue says was expected, in words. */
function expectation(issue: ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return issue.expected;
    case 'invalid_value':
      return issue.values.length === 1 ? JSON.stringify(issue.values[0]) : `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'too_small':
    case 'too_big': {
      const bound = issue.code === 'too_small' ? issue.minimum : issue.maximum;
      const op = issue.code === 'too_small' ? (issue.inclusive ? '>=' : '>') : issue.inclusive ? '<=' : '<';
      const words = issue.code === 'too_small' ? 'at least' : 'at most';
      if (issue.origin === 'string') return `a string of ${words} ${String(bound)} character(s)`;
      if (issue.origin === 'array' || issue.origin === 'set') return `a list of ${words} ${String(bound)} item(s)`;
      return `${issue.origin} ${op} ${String(bound)}`;
    }
    case 'invalid_format':
      return issue.format === 'regex' && 'pattern' in issue ? `a string matching ${String(issue.pattern)}` : `a valid ${issue.format}`;
    case 'not_multiple_of':
      return `a multiple of ${String(issue.divisor)}`;
    case 'invalid_key':
      return 'a valid key';
    case 'invalid_element':
      return 'valid elements';
    case 'invalid_union':
      return 'one of the allowed forms';
    case 'unrecognized_keys':
      return 'no unknown key';
    case 'custom': {
      const params = (issue as { params?: { expected?: unknown } }).params;
      return typeof params?.expected === 'string' ? params.expected : issue.message;
    }
  }
}

/** Describes a found value: strings quoted, lists and maps by kind. */
export function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null (an empty value)';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (typeof value === 'function') return 'a function';
  if (typeof value !== 'object') return String(value);
  try {
    if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'an invalid Date' : `the Date ${value.toISOString()}`;
    if (Array.isArray(value)) return `a list of ${value.length} item(s)`;
    return 'a map';
  } catch {
    return 'an object that cannot be read (a revoked Proxy?)'; // API callers can pass anything
  }
}

interface LooseDef {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  in?: z.ZodType;
  element?: z.ZodType;
  valueType?: z.ZodType;
  getter?: () => z.ZodType;
  options?: z.ZodType[];
  values?: unknown[];
}

function defOf(schema: z.ZodType): LooseDef {
  return schema._zod.def as unknown as LooseDef;
}

/** The schema a wrapper (optional, default, pipe, lazy, ...) holds; `undefined` for any other. */
function innerOf(schema: z.ZodType): z.ZodType | undefined {
  const def = defOf(schema);
  return def.innerType ?? (def.type === 'pipe' ? def.in : def.type === 'lazy' ? def.getter?.() : undefined);
}

function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (let i = 0; i < 32; i += 1) {
    const next = innerOf(current);
    if (next === undefined) return current;
    current = next;
  }
  return current;
}

/**
 * The keys an object schema accepts at `path` inside `schema`, or `undefined` when unknown.
 *
 * @remarks
 * Through a union, the keys of every object branch are merged; when `input` (the object that had
 * the unknown key) is given, only branches whose literal fields match it count, so a
 * discriminated union lists the keys of the branch the input chose.
 */
export function knownKeysAt(schema: z.ZodType, path: readonly ConfigPathSegment[], input?: unknown): string[] | undefined {
  let current = expand(schema);
  for (const segment of path) current = childrenAt(current, segment);
  if (isRecord(input)) {
    const matching = current.filter((candidate) => literalsMatch(candidate, input));
    if (matching.length > 0) current = matching;
  }
  const keys = current.flatMap((candidate) => {
    const def = defOf(candidate);
    return def.type === 'object' && def.shape !== undefined ? Object.keys(def.shape) : [];
  });
  return current.some((candidate) => defOf(candidate).type === 'object') ? [...new Set(keys)] : undefined;
}

/** The schemas a value one step down (`segment`) may be checked against, wrappers removed. */
function childrenAt(current: readonly z.ZodType[], segment: ConfigPathSegment): z.ZodType[] {
  return current.flatMap((candidate) => {
    const child = childOf(candidate, segment);
    return child === undefined ? [] : expand(child);
  });
}

/** The schema of the entry at `segment` inside a map, list or record schema, as declared. */
function childOf(schema: z.ZodType, segment: ConfigPathSegment): z.ZodType | undefined {
  const def = defOf(schema);
  if (def.type === 'object' && typeof segment === 'string') return def.shape?.[segment];
  if (def.type === 'array' && typeof segment === 'number') return def.element;
  return def.type === 'record' ? def.valueType : undefined;
}

/**
 * Names the innermost list item on `path` (inside `schema` and its `input`) whose schema has a
 * `title` and whose value is a map with a string `id`, e.g. `job "nightly"`.
 */
function itemNameAt(schema: z.ZodType, path: readonly ConfigPathSegment[], input: unknown): string | undefined {
  let current = expand(schema);
  let value = input;
  let name: string | undefined;
  for (const segment of path) {
    value = (isRecord(value) || Array.isArray(value)) && Object.prototype.hasOwnProperty.call(value, segment) ? (value as Record<string | number, unknown>)[segment] : undefined;
    if (typeof segment === 'number' && isRecord(value) && typeof value.id === 'string' && value.id !== '') {
      for (const candidate of current) {
        const item = childOf(candidate, segment);
        const title = item === undefined ? undefined : titleOf(item);
        if (title !== undefined) name = `${title} ${describe(value.id)}`;
      }
    }
    current = childrenAt(current, segment);
  }
  return name;
}

/** The `title` in the zod metadata of a schema or of a schema it wraps. */
function titleOf(schema: z.ZodType): string | undefined {
  let current: z.ZodType | undefined = schema;
  for (let i = 0; i < 32 && current !== undefined; i += 1) {
    const title = z.globalRegistry.get(current)?.title;
    if (typeof title === 'string' && title !== '') return title;
    current = innerOf(current);
  }
  return undefined;
}

/** True when every literal-typed field of an object schema accepts the input's value. */
function literalsMatch(schema: z.ZodType, input: Record<string, unknown>): boolean {
  const def = defOf(schema);
  if (def.type !== 'object' || def.shape === undefined) return false;
  return Object.entries(def.shape).every(([key, field]) => {
    const fieldDef = defOf(unwrap(field));
    return fieldDef.type !== 'literal' || (fieldDef.values ?? []).includes(input[key]);
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The schemas a value at this place may be checked against: wrappers removed, unions opened. */
function expand(schema: z.ZodType): z.ZodType[] {
  const inner = unwrap(schema);
  const def = defOf(inner);
  return def.type === 'union' && def.options !== undefined ? def.options.flatMap(expand) : [inner];
}

/** The known key closest to `key` by edit distance, when close enough to be a typo. */
function closest(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(key.length / 3)) + 1;
  for (const candidate of known) {
    const d = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}
