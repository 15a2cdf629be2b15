/**
 * One problem of an app, positioned at `file:line:col`: what `xcore validate` prints and what
 * boot refuses (or isolates a plugin for).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { LoadedConfig } from '../config/types.js';
import { ConfigInvalidError, isXcoreError } from '../errors.js';

/**
 * What a problem does to `xcore start`.
 *
 * @remarks
 * `fatal`: boot refuses to start. `plugin`: the plugin is left out (`failed` or `disabled`) and
 * the rest boots, unless `plugins.failFast` is set (then boot refuses too).
 */
export type AppProblemEffect = 'fatal' | 'plugin';

/** One problem found by `checkApp`. */
export interface AppProblem {
  /** `file:line:col`, or the file alone when nothing better is known. */
  readonly at: string;
  /** The problem as one line, without its position. */
  readonly message: string;
  /** The error's code, e.g. `XCORE_ERR_JOB_FUNC_INVALID`. */
  readonly code: string;
  readonly effect: AppProblemEffect;
  /** The plugin it is about, if any. */
  readonly plugin?: string;
  /** The coded error boot throws or records for it. */
  readonly error: Error;
}

/** `file:line:col` of a key path in the config (the file alone when it is not written there). */
export function configPosition(loaded: LoadedConfig, path: readonly (string | number)[]): string {
  const at = loaded.locate(path);
  return at === undefined ? loaded.file : `${loaded.file}:${at.line}:${at.col}`;
}

/** A position at the start of a message (`/app/xcore.yaml:12:7: ...`), and the message without it. */
const LEADING_POSITION = /^((?:[A-Za-z]:)?[^\s:]+(?::[^\s:]+)*?:\d+:\d+):?\s+/;

/**
 * Builds a problem from a coded error; the position is the one the message starts with, else `at`.
 *
 * @remarks
 * Messages that carry their position in front (YAML job errors: `file:line:col: job "x": ...`)
 * keep the rest; newlines become `; ` so each problem is one line.
 */
export function problemOf(error: Error, at: string, effect: AppProblemEffect, plugin?: string): AppProblem {
  let message = error.message;
  let where = at;
  const leading = LEADING_POSITION.exec(message);
  if (leading !== null) {
    where = leading[1]!;
    message = message.slice(leading[0].length);
  }
  message = message.replace(` at ${where} `, ' ');
  const code = isXcoreError(error) ? error.code : 'XCORE_ERR_APP_INVALID';
  return {
    at: where,
    message: oneLine(message),
    code,
    effect,
    ...(plugin === undefined ? {} : { plugin }),
    error,
  };
}

/**
 * The problems an error stands for: one per issue of a config error (each at its line, with the
 * issue as its message, sharing the one error), else one at the position its message starts with
 * or `at`.
 */
export function problemsOf(error: unknown, at: string, effect: AppProblemEffect, plugin?: string): AppProblem[] {
  if (error instanceof ConfigInvalidError) {
    return error.issues.map((issue) => ({
      ...problemOf(error, `${issue.file}:${issue.line}:${issue.col}`, effect, plugin),
      at: `${issue.file}:${issue.line}:${issue.col}`,
      message: oneLine(issue.message),
    }));
  }
  return [problemOf(error instanceof Error ? error : new Error(String(error)), at, effect, plugin)];
}

/** The text on one line: line breaks and the indentation after them become `; `. */
export function oneLine(text: string): string {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .join('; ');
}

/**
 * `file:line:col` of the first occurrence of `needle` in a text file after `after` (1-based), or
 * `file:1:1` when it is not there (or the file cannot be read).
 */
export function textPosition(file: string, needle: string, after?: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return `${file}:1:1`;
  }
  const from = after === undefined ? 0 : Math.max(0, text.indexOf(after));
  const index = text.indexOf(needle, from);
  if (index < 0) return `${file}:1:1`;
  const before = text.slice(0, index).split('\n');
  return `${file}:${before.length}:${before[before.length - 1]!.length + 1}`;
}

/**
 * Where in `folder` an import failure points: a `file:line:col` the error names inside the folder
 * (a syntax error's location, or the first stack frame there), else `fallback`.
 */
export function importFailurePosition(error: unknown, folder: string, fallback: string): string {
  const texts: string[] = [];
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth += 1) {
    texts.push(e.message, e.stack ?? '');
  }
  for (const text of texts) {
    for (const match of text.matchAll(/((?:file:\/\/)?\/[^\s():'"]+):(\d+):(\d+)/g)) {
      const file = match[1]!.startsWith('file://') ? fileURLToPath(match[1]!) : match[1]!;
      if (file.startsWith(folder) && !file.includes('/node_modules/')) return `${file}:${match[2]}:${match[3]}`;
    }
  }
  return fallback;
}
