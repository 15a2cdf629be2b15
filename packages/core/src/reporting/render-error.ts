/**
 * Errors as people read them: the cause chain said once, the first frame in the user's own code
 * first, stacks only when debugging. The CLI prints fatal boot errors with it and the logger
 * serialises every `err` field with it.
 */
import { dirname, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Options of {@link renderError} and {@link serializeError}. */
export interface RenderErrorOptions {
  /**
   * Include every stack of the chain (`--debug`, `XCORE_DEBUG=1`, or a `debug`/`trace` log level).
   * @defaultValue `false`
   */
  readonly debug?: boolean;
}

/** An error as {@link serializeError} writes it into a log line. */
export interface SerializedError {
  /** The class name, e.g. `PluginHookFailedError`. */
  readonly type: string;
  /** The message, with what each cause adds that it does not already say (`; caused by: ...`). */
  readonly message: string;
  /** The coded error's code, when it has one. */
  readonly code?: string;
  /** The first stack frame in the user's code (`file:line:col`), when there is one. */
  readonly at?: string;
  /** Every stack of the chain, only when debugging. */
  readonly stack?: string;
  /** Other own fields of the error with plain values (`plugin`, `jobId`, ...). */
  readonly [field: string]: unknown;
}

/** The most causes followed (a cause chain can be a cycle). */
const MAX_CHAIN = 8;

/** Folders of xcore's own code: its frames are never "the user's". */
const XCORE_ROOTS: readonly string[] = xcoreRoots();

function xcoreRoots(): string[] {
  try {
    // dist/index.js (bundled) or src/reporting/render-error.ts: the package root is above either.
    const here = dirname(fileURLToPath(import.meta.url));
    const packageRoot = here.endsWith(`${sep}reporting`) ? dirname(dirname(here)) : dirname(here);
    const parent = dirname(packageRoot);
    // In the xcore repository every package sits beside core in packages/.
    return [parent.endsWith(`${sep}packages`) ? parent + sep : packageRoot + sep];
  } catch {
    return [];
  }
}

/** The error, then its causes, outermost first (at most {@link MAX_CHAIN}, no repeats). */
export function causeChain(error: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let e: unknown = error; e !== undefined && e !== null && chain.length < MAX_CHAIN && !chain.includes(e); e = (e as { cause?: unknown }).cause) {
    chain.push(e);
    if (!(e instanceof Error)) break;
  }
  return chain;
}

function messageOf(value: unknown): string {
  if (value instanceof Error) return value.message;
  try {
    return typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * The message of `error` followed by what each cause adds: a cause whose text the message (or an
 * outer cause) already contains is not repeated.
 */
export function chainMessage(error: unknown): string {
  const parts: string[] = [];
  let said = '';
  for (const link of causeChain(error)) {
    const text = messageOf(link).trim();
    if (text === '' || said.includes(text)) continue;
    parts.push(text);
    said += `\n${text}`;
  }
  return parts.map((part, i) => (i < parts.length - 1 ? part.replace(/\.$/, '') : part)).join('; caused by: ');
}

/** True for a stack frame's file that is the user's: not Node's, not a dependency's, not xcore's. */
function isUserFile(file: string): boolean {
  if (file.startsWith('node:') || file.includes(`${sep}node_modules${sep}`) || !file.startsWith(sep)) return false;
  return !XCORE_ROOTS.some((root) => file.startsWith(root));
}

/** `file:line:col` of the first frame in the user's code, searching the chain outermost first. */
export function userFrame(error: unknown): string | undefined {
  for (const link of causeChain(error)) {
    if (!(link instanceof Error) || typeof link.stack !== 'string') continue;
    for (const match of link.stack.matchAll(/^\s*at (?:.*?\()?((?:file:\/\/)?[^\s()]+?):(\d+):(\d+)\)?\s*$/gm)) {
      let file = match[1]!;
      if (file.startsWith('file://')) {
        try {
          file = fileURLToPath(file);
        } catch {
          continue;
        }
      }
      if (isUserFile(file)) return `${file}:${match[2]}:${match[3]}`;
    }
  }
  return undefined;
}

/** Every stack of the chain, each cause under `caused by:`. */
function chainStack(error: unknown): string {
  return causeChain(error)
    .map((link, i) => `${i === 0 ? '' : 'caused by: '}${link instanceof Error ? (link.stack ?? link.message) : messageOf(link)}`)
    .join('\n');
}

/**
 * Renders an error for a person: its message with what its causes add (each said once), then
 * `at <file:line:col>` of the first frame in the user's code, then (only with `debug`) every
 * stack of the chain.
 *
 * @example
 * ```ts
 * renderError(new Error('cannot sync', { cause: new Error('connection refused') }));
 * // 'cannot sync; caused by: connection refused\n  at /app/plugins/sync/src/index.ts:12:11'
 * ```
 */
export function renderError(error: unknown, options: RenderErrorOptions = {}): string {
  const code = (error as { code?: unknown } | null)?.code;
  const head = `${chainMessage(error)}${typeof code === 'string' && code.startsWith('XCORE_ERR_') ? ` [${code}]` : ''}`;
  const lines = [head];
  const at = userFrame(error);
  if (at !== undefined) lines.push(`  at ${at}`);
  if (options.debug === true) lines.push(chainStack(error));
  return lines.join('\n');
}

/**
 * Serialises an error for a log line (the logger's `err` serializer): `type`, `message` with
 * what the causes add, `code`, `at` (first frame in the user's code), other plain own fields,
 * and `stack` (every stack of the chain) only with `debug`.
 */
export function serializeError(error: unknown, options: RenderErrorOptions = {}): SerializedError | unknown {
  if (!(error instanceof Error)) return error;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(error)) {
    if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) out[key] = value;
  }
  out['type'] = error.name || error.constructor?.name || 'Error';
  out['message'] = chainMessage(error);
  const at = userFrame(error);
  if (at !== undefined) out['at'] = at;
  if (options.debug === true) out['stack'] = chainStack(error);
  return out as SerializedError;
}

/**
 * Whether logged errors carry every stack of their cause chain: asked for (`--debug`), a
 * `debug`/`trace` log level, or `XCORE_DEBUG` in `env`. The one rule for the host's logger and a
 * sandboxed plugin's.
 *
 * @example
 * ```ts
 * serializeError(error, { debug: wantsErrorStacks(logging.level, { debugErrors: flags.debug }) });
 * ```
 */
export function wantsErrorStacks(level: string, options: { readonly debugErrors?: boolean | undefined; readonly env?: NodeJS.ProcessEnv } = {}): boolean {
  return options.debugErrors === true || level === 'debug' || level === 'trace' || debugFromEnv(options.env);
}

/** Marks a logger made by `createLogger` whose error lines carry stacks; pino children inherit it (prototype chain). */
const ERROR_STACKS = Symbol.for('xcore.logger.errorStacks');

/** Records on `logger` (and so on its children) whether its error lines carry stacks. */
export function markErrorStacks(logger: object, debug: boolean): void {
  Object.defineProperty(logger, ERROR_STACKS, { value: debug, enumerable: false, configurable: true });
}

/**
 * Whether `logger`'s error lines carry stacks: what `createLogger` decided for it (`--debug`,
 * `XCORE_DEBUG`), else its level. A sandboxed plugin's logger follows its host's this way.
 */
export function loggerErrorStacks(logger: { readonly level: string }): boolean {
  return (logger as { [ERROR_STACKS]?: boolean })[ERROR_STACKS] ?? wantsErrorStacks(logger.level);
}

/** True when `XCORE_DEBUG` asks for stacks (`1`, `true`, `yes`). */
export function debugFromEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  return /^(1|true|yes)$/i.test(env['XCORE_DEBUG'] ?? '');
}
