/**
 * Reads YAML text into plain data, interpolating `${VAR}` and recording where every key path is
 * written. Pure: no file access; the environment is passed in.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { formatConfigPath, pathKey } from './config-path.js';
import { interpolate, resolvePlainScalar, type ConfigEnv, type InterpolationProblem } from './interpolate.js';
import { SourceIndex } from './source-index.js';
import { aliasTable } from './yaml-aliases.js';
import type { ConfigIssue, ConfigPathSegment, SourcePosition } from './types.js';

/**
 * Deepest nesting of maps and lists the reader follows: far more than any config needs, and few
 * enough that reading, validating and freezing a value never exhausts the stack (an alias of a
 * deeply nested anchor inside another can nest deeper than the YAML parser itself allows).
 */
export const MAX_NESTING = 256;

/** Result of {@link readYaml}. */
export interface YamlReadResult {
  /** The document as plain data (`{}` for an empty document); meaningless when `syntaxOk` is false. */
  readonly value: unknown;
  /** Positions of every key path. */
  readonly index: SourceIndex;
  /** False when the YAML could not be parsed; `issues` then holds the syntax errors only. */
  readonly syntaxOk: boolean;
  /** Syntax or interpolation problems, positioned. */
  readonly issues: readonly ConfigIssue[];
  /** Key paths (see `pathKey`) whose value had an interpolation problem. */
  readonly failedPaths: ReadonlySet<string>;
}

/**
 * Parses `text` (the contents of `file`) keeping node positions, and interpolates scalar values.
 *
 * @remarks
 * A plain (unquoted) scalar that held a `${...}` reference is re-read after interpolation with
 * YAML's core schema rules, so `port: ${PORT}` with `PORT=8080` is the number `8080` and
 * `failFast: ${FAIL_FAST:-false}` the boolean `false`. Quoted and block scalars stay strings.
 * Keys are never interpolated. Aliases are expanded (positions inside point at the anchor), up to
 * a budget: aliases may add at most `MIN_ALIAS_EXPANSION` (10,000) values to the document, or
 * ten times the values written in it when that is more. An alias past the budget (an alias bomb)
 * or one with no anchor before it is reported at the alias, as is a duplicate key, and nothing
 * else is checked (`syntaxOk` is false). So is a value nested more than {@link MAX_NESTING} deep.
 */
export function readYaml(text: string, file: string, env: ConfigEnv): YamlReadResult {
  const lineCounter = new LineCounter();
  // Duplicate keys are found while walking: yaml's own check compares each key with every key
  // before it (20,000 keys in one map took 2.6 s).
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false });
  const index = new SourceIndex();
  const at = (offset: number): SourcePosition => lineCounter.linePos(offset);

  const syntaxIssue = ({ line, col }: SourcePosition, code: string, found: string): ConfigIssue =>
    ({ kind: 'syntax', file, line, col, path: '', expected: 'valid YAML', found, message: `YAML syntax error (${code}): ${found}` });

  if (doc.errors.length > 0) {
    const issues = doc.errors.map((error) => syntaxIssue(at(error.pos[0]), error.code, firstLine(error.message)));
    return { value: undefined, index, syntaxOk: false, issues, failedPaths: new Set() };
  }

  const issues: ConfigIssue[] = [];
  const failedPaths = new Set<string>();
  const walking = new Set<Node>();
  const aliases = aliasTable(doc);
  /** Values added so far by the outermost aliases expanded (nested ones are counted in theirs). */
  let expanded = 0;
  let inAlias = 0;
  const structural: ConfigIssue[] = [];
  const duplicates: ConfigIssue[] = [];
  /** A problem with the document's shape (an alias, the nesting), at `node`. */
  const shapeIssue = (node: Node, path: string, expected: string, found: string): ConfigIssue => {
    const { line, col } = at(node.range?.[0] ?? 0);
    return { kind: 'syntax', file, line, col, path, expected, found, message: `${path || '(root)'}: expected ${expected}, found ${found}` };
  };

  /** Counts what expanding `alias` adds; false (and an issue) when it has no anchor or is over budget. */
  const admitAlias = (alias: Node & { source: string }, target: Node | undefined, path: readonly ConfigPathSegment[]): boolean => {
    const where = formatConfigPath(path);
    if (target === undefined) {
      structural.push(shapeIssue(alias, where, 'an alias of an anchor defined above it', `*${alias.source}, an alias with no anchor &${alias.source} before it`));
      return false;
    }
    if (inAlias > 0) return true;
    expanded += aliases.expandedSize(target);
    if (expanded <= aliases.limit) return true;
    const expected = `aliases that add at most ${aliases.limit.toLocaleString('en-US')} values to the document`;
    const found = `*${alias.source}, which brings the aliases to ${expanded >= Number.MAX_SAFE_INTEGER ? 'more than 2^53' : expanded.toLocaleString('en-US')} values (nested aliases multiply); write the repeated part out or alias it fewer times`;
    structural.push(shapeIssue(alias, where, expected, found));
    return false;
  };

  const reportInterpolation = (problem: InterpolationProblem, path: readonly ConfigPathSegment[], node: Node, nth: number): void => {
    const start = node.range?.[0] ?? 0;
    const end = node.range?.[1] ?? start;
    const offset = nthIndexOf(text.slice(start, end), problem.raw, nth);
    const { line, col } = at(offset === -1 ? start : start + offset);
    const where = formatConfigPath(path) || '(root)';
    failedPaths.add(pathKey(path));
    if (problem.kind === 'unset') {
      const expected = `environment variable ${problem.name} to be set (or a default: \${${problem.name}:-value})`;
      issues.push({ kind: 'interpolation', file, line, col, path: formatConfigPath(path), expected, found: `no variable ${problem.name} in the environment`, message: `${where}: expected ${expected}, found no variable ${problem.name} in the environment` });
    } else {
      const expected = '${NAME} or ${NAME:-default} (write $${ for a literal ${)';
      issues.push({ kind: 'interpolation', file, line, col, path: formatConfigPath(path), expected, found: problem.raw, message: `${where}: expected ${expected}, found ${problem.raw}` });
    }
  };

  const walk = (node: unknown, path: ConfigPathSegment[], key?: SourcePosition): unknown => {
    if (node === null || node === undefined || structural.length > 0) return null;
    if (path.length > MAX_NESTING) {
      const where = formatConfigPath(path.slice(0, 3));
      const found = `a value nested ${path.length} levels deep under ${where}${inAlias > 0 ? ' (through aliases)' : ''}`;
      structural.push(shapeIssue(node as Node, where, `values nested at most ${MAX_NESTING} levels deep`, found));
      return null;
    }
    if (isAlias(node)) {
      const target = aliases.target(node);
      if (!admitAlias(node, target, path)) return null;
      inAlias += 1;
      try {
        return walkNode(node, target!, path, key);
      } finally {
        inAlias -= 1;
      }
    }
    return walkNode(node as Node, node as Node, path, key);
  };

  /** Reads `target`, written at `node` (the alias itself when `target` is an alias's anchor). */
  const walkNode = (node: Node, target: Node, path: ConfigPathSegment[], key: SourcePosition | undefined): unknown => {
    const position = at(node.range?.[0] ?? 0);
    index.set(path, position, key);
    if (isScalar(target)) {
      const raw: unknown = target.value;
      if (typeof raw !== 'string') return raw;
      const result = interpolate(raw, env);
      const seen = new Map<string, number>();
      // An alias's problems were already reported at its anchor.
      for (const problem of isAlias(node) ? [] : result.problems) {
        const nth = seen.get(problem.raw) ?? 0;
        seen.set(problem.raw, nth + 1);
        reportInterpolation(problem, path, target, nth);
      }
      return result.substituted && target.type === 'PLAIN' ? resolvePlainScalar(result.value) : result.value;
    }
    if (walking.has(target)) return null;
    walking.add(target);
    try {
      if (isMap(target)) {
        const out: Record<string, unknown> = {};
        const names = new Set<string>();
        for (const pair of target.items) {
          if (!isPair(pair)) continue;
          const k = isScalar(pair.key) ? pair.key.value : pair.key;
          const name = k === null || k === undefined ? '' : typeof k === 'object' ? JSON.stringify(k) : String(k);
          const keyPos = at((pair.key as Node | null)?.range?.[0] ?? (target.range?.[0] ?? 0));
          if (names.has(name)) {
            // Inside an alias the duplicate was reported at its anchor.
            if (inAlias === 0) duplicates.push(syntaxIssue(keyPos, 'DUPLICATE_KEY', 'Map keys must be unique'));
            continue;
          }
          names.add(name);
          const value = walk(pair.value, [...path, name], keyPos);
          if (pair.value === null) index.set([...path, name], keyPos, keyPos);
          Object.defineProperty(out, name, { value, enumerable: true, writable: true, configurable: true });
        }
        return out;
      }
      if (isSeq(target)) return target.items.map((item, i) => walk(item, [...path, i]));
      return null;
    } finally {
      walking.delete(target);
    }
  };

  const value = doc.contents === null ? {} : walk(doc.contents, []);
  if (structural.length > 0 || duplicates.length > 0) {
    const found = [...duplicates, ...structural].sort((a, b) => a.line - b.line || a.col - b.col);
    return { value: undefined, index, syntaxOk: false, issues: found, failedPaths: new Set() };
  }
  if (doc.contents === null) index.set([], { line: 1, col: 1 });
  return { value, index, syntaxOk: true, issues, failedPaths };
}

function firstLine(message: string): string {
  return message.split('\n', 1)[0]!.trim();
}

function nthIndexOf(haystack: string, needle: string, nth: number): number {
  let from = 0;
  for (let i = 0; ; i += 1) {
    const found = haystack.indexOf(needle, from);
    if (found === -1 || i === nth) return found;
    from = found + needle.length;
  }
}
