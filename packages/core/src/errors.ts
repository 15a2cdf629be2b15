/**
 * The catalogue of coded errors thrown by `@xcore/core`.
 *
 * @remarks
 * Every error xcore throws is an {@link XcoreError} subclass with a stable `code`. Messages say
 * what was wrong, where (file, line, key path, plugin or service name) and what to do. Codes are
 * documented in {@link CORE_ERROR_CODES}; a test keeps the classes, codes and docs in sync.
 */

/** Options accepted by every {@link XcoreError} constructor. */
export interface XcoreErrorOptions {
  /** The underlying error, kept on `error.cause`. */
  cause?: unknown;
}

/**
 * Base class of every error xcore throws.
 *
 * @remarks
 * Match errors by `code`, not by `instanceof`: a plugin loaded through its own copy of
 * `@xcore/core` throws errors whose classes are distinct objects, while codes are stable.
 */
export class XcoreError extends Error {
  /** Stable machine-readable code, e.g. `XCORE_ERR_CONFIG_INVALID`. */
  readonly code: string;

  constructor(code: string, message: string, options: XcoreErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.name = new.target.name;
  }
}

/** True when `value` is an xcore error, optionally with the given code (works across module copies). */
export function isXcoreError(value: unknown, code?: string): value is XcoreError {
  if (typeof value !== 'object' || value === null) return false;
  const c = (value as { code?: unknown }).code;
  return typeof c === 'string' && c.startsWith('XCORE_ERR_') && (code === undefined || c === code);
}

/**
 * Documentation of every code thrown by `@xcore/core`: code, then what it means and what to do.
 *
 * @remarks
 * Kept beside the classes so `errors.test.ts` can check each class's code is listed here once.
 */
export const CORE_ERROR_CODES: Readonly<Record<string, string>> = {
  // Filled in as classes are added below; the test fails when one is missing.
};

// ---------------------------------------------------------------------------------------------
// Config errors (config/)
// ---------------------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------------
// Service container errors (services/)
// ---------------------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------------
// Plugin errors (plugins/)
// ---------------------------------------------------------------------------------------------
