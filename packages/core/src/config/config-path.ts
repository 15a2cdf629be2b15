/**
 * Key paths: how the config loader names a place in the file (`services.scheduler.jobs[2].id`).
 */
import type { ConfigPathSegment } from './types.js';

const IDENTIFIER = /^[A-Za-z_$][\w$-]*$/;

/**
 * Formats a key path for messages: `plugins.hookTimeoutMs`, `services.scheduler.jobs[2].id`,
 * `plugins.config["my.plugin"]`.
 *
 * @remarks
 * Keys that are not identifiers (hyphens allowed) are written as quoted brackets. The empty
 * path is `""`.
 */
export function formatConfigPath(path: readonly ConfigPathSegment[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (IDENTIFIER.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

/** A map key for a path (numbers and numeric strings stay distinct). */
export function pathKey(path: readonly ConfigPathSegment[]): string {
  return JSON.stringify(path);
}

/** Normalises a zod issue path (which may hold symbols) to config path segments. */
export function toConfigPath(path: readonly PropertyKey[]): ConfigPathSegment[] {
  return path.map((segment) => (typeof segment === 'number' || typeof segment === 'string' ? segment : String(segment)));
}
