/**
 * `${VAR}` interpolation of config strings. Pure: the environment is passed in.
 *
 * @remarks
 * Syntax, applied to scalar values (never to keys):
 * - `${NAME}`: the value of `NAME`; an unset variable is an error.
 * - `${NAME:-default}`: the value of `NAME`, or `default` when `NAME` is unset or empty. The
 *   default is literal text up to the first `}` (no nesting).
 * - `$${`: a literal `${` (so `$${HOME}` stays `${HOME}`).
 * - `NAME` matches `[A-Za-z_][A-Za-z0-9_]*`; anything else inside `${...}` is an error.
 */

/** Environment variables, as in `process.env`. */
export type ConfigEnv = Readonly<Record<string, string | undefined>>;

/** A problem found while interpolating one string. */
export interface InterpolationProblem {
  /** `'unset'`: a variable without default is not set; `'malformed'`: `${` without a valid reference. */
  readonly kind: 'unset' | 'malformed';
  /** Offset of the `${` in the input string. */
  readonly offset: number;
  /** The reference as written, e.g. `${PORT}`. */
  readonly raw: string;
  /** Variable name (empty when malformed). */
  readonly name: string;
}

/** Result of {@link interpolate}. */
export interface InterpolationResult {
  /** The string with every reference replaced (an unset variable becomes `''`). */
  readonly value: string;
  /** True when the input held at least one `${...}` reference (escapes do not count). */
  readonly substituted: boolean;
  /** Problems, in order of appearance. */
  readonly problems: readonly InterpolationProblem[];
}

const REFERENCE = /^([A-Za-z_][A-Za-z0-9_]*)(?::-([^]*))?$/;

/**
 * Replaces `${VAR}` and `${VAR:-default}` references in `text` with values from `env`.
 *
 * @example
 * ```ts
 * interpolate('redis://${HOST:-localhost}:6379', { }).value // 'redis://localhost:6379'
 * ```
 */
export function interpolate(text: string, env: ConfigEnv): InterpolationResult {
  if (!text.includes('${')) return { value: text, substituted: false, problems: [] };
  let out = '';
  let substituted = false;
  const problems: InterpolationProblem[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '$' && text.startsWith('$${', i)) {
      out += '${';
      i += 3;
      continue;
    }
    if (ch !== '$' || text[i + 1] !== '{') {
      out += ch;
      i += 1;
      continue;
    }
    const close = text.indexOf('}', i + 2);
    if (close === -1) {
      problems.push({ kind: 'malformed', offset: i, raw: text.slice(i), name: '' });
      out += text.slice(i);
      break;
    }
    const raw = text.slice(i, close + 1);
    const match = REFERENCE.exec(text.slice(i + 2, close));
    substituted = true;
    if (match === null) {
      problems.push({ kind: 'malformed', offset: i, raw, name: '' });
    } else {
      const name = match[1]!;
      const fallback = match[2];
      const value = env[name];
      if (fallback !== undefined) out += value === undefined || value === '' ? fallback : value;
      else if (value === undefined) problems.push({ kind: 'unset', offset: i, raw, name });
      else out += value;
    }
    i = close + 1;
  }
  return { value: out, substituted, problems };
}

const NULL = /^(?:~|null|Null|NULL)$/;
const TRUE = /^(?:true|True|TRUE)$/;
const FALSE = /^(?:false|False|FALSE)$/;
const INT = /^[-+]?[0-9]+$/;
const OCT = /^0o[0-7]+$/;
const HEX = /^0x[0-9a-fA-F]+$/;
const FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;
const INF = /^[-+]?\.(?:inf|Inf|INF)$/;
const NAN = /^\.(?:nan|NaN|NAN)$/;

/**
 * Resolves an interpolated plain (unquoted) scalar the way YAML 1.2's core schema would have
 * read it had the text been written in the file: `"8080"` becomes `8080`, `"true"` becomes `true`.
 *
 * @remarks
 * Only plain scalars are resolved; quoted and block scalars stay strings, as in YAML. An empty
 * result stays `''` (YAML would read an empty plain scalar as `null`, which surprises more than
 * it helps when a variable is set to the empty string).
 */
export function resolvePlainScalar(text: string): string | number | boolean | null {
  if (text === '') return '';
  if (NULL.test(text)) return null;
  if (TRUE.test(text)) return true;
  if (FALSE.test(text)) return false;
  if (INT.test(text)) return Number.parseInt(text, 10);
  if (OCT.test(text)) return Number.parseInt(text.slice(2), 8);
  if (HEX.test(text)) return Number.parseInt(text.slice(2), 16);
  if (FLOAT.test(text)) return Number.parseFloat(text);
  if (INF.test(text)) return text.startsWith('-') ? -Infinity : Infinity;
  if (NAN.test(text)) return Number.NaN;
  return text;
}
