/**
 * Reads YAML text into plain data, interpolating `${VAR}` and recording where every key path is
 * written. Pure: no file access; the environment is passed in.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { formatConfigPath, pathKey } from './config-path.js';
import { interpolate, resolvePlainScalar, type ConfigEnv, type InterpolationProblem } from './interpolate.js';
import { SourceIndex } from './source-index.js';
import type { ConfigIssue, ConfigPathSegment, SourcePosition } from './types.js';

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
 * Keys are never interpolated. Aliases are expanded (positions inside point at the anchor).
 * Duplicate keys are syntax errors.
 */
export function readYaml(text: string, file: string, env: ConfigEnv): YamlReadResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const index = new SourceIndex();
  const at = (offset: number): SourcePosition => lineCounter.linePos(offset);

  if (doc.errors.length > 0) {
    const issues = doc.errors.map((error): ConfigIssue => {
      const { line, col } = at(error.pos[0]);
      const found = firstLine(error.message);
      return { kind: 'syntax', file, line, col, path: '', expected: 'valid YAML', found, message: `YAML syntax error (${error.code}): ${found}` };
    });
    return { value: undefined, index, syntaxOk: false, issues, failedPaths: new Set() };
  }

  const issues: ConfigIssue[] = [];
  const failedPaths = new Set<string>();
  const walking = new Set<Node>();

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
    if (node === null || node === undefined) return null;
    const target = isAlias(node) ? node.resolve(doc as Document) : node;
    if (target === undefined) return null;
    const position = at((node as Node).range?.[0] ?? 0);
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
    if (walking.has(target as Node)) return null;
    walking.add(target as Node);
    try {
      if (isMap(target)) {
        const out: Record<string, unknown> = {};
        for (const pair of target.items) {
          if (!isPair(pair)) continue;
          const k = isScalar(pair.key) ? pair.key.value : pair.key;
          const name = k === null || k === undefined ? '' : typeof k === 'object' ? JSON.stringify(k) : String(k);
          const keyPos = at((pair.key as Node | null)?.range?.[0] ?? (target.range?.[0] ?? 0));
          const value = walk(pair.value, [...path, name], keyPos);
          if (pair.value === null) index.set([...path, name], keyPos, keyPos);
          Object.defineProperty(out, name, { value, enumerable: true, writable: true, configurable: true });
        }
        return out;
      }
      if (isSeq(target)) return target.items.map((item, i) => walk(item, [...path, i]));
      return null;
    } finally {
      walking.delete(target as Node);
    }
  };

  const value = doc.contents === null ? {} : walk(doc.contents, []);
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
