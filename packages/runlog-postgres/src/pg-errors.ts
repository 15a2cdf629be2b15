/**
 * What a PostgreSQL error means for the run log: retry later, refuse the data, or stop at start.
 *
 * @remarks
 * `pg` gives server errors a five-character SQLSTATE in `code`; network errors carry Node's codes
 * (`ECONNREFUSED`, `ECONNRESET`, ...) or none (a connection ended mid-query). Only data errors are
 * refused: SQLSTATE class 22 (data exception, e.g. a value out of range) and 23 (integrity, e.g. a
 * CHECK), and 54000 (a value too large for an index). Every other error, including ones not listed
 * here, is retried: losing records to an error this code did not foresee would be worse than
 * retrying it until the queue bound.
 */

/** SQLSTATEs that mean "this connection or these credentials will not work until someone acts". */
const LASTING_AT_START: ReadonlySet<string> = new Set([
  '28000', // invalid_authorization_specification (no pg_hba.conf entry, role may not log in)
  '28P01', // invalid_password
  '3D000', // invalid_catalog_name: the database does not exist
  '42501', // insufficient_privilege (e.g. may not create the schema)
]);

/** SQLSTATEs after which the table must be checked again (it or its schema was dropped). */
const TABLE_GONE: ReadonlySet<string> = new Set(['42P01', '3F000']);

function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/** How the batcher treats a failed insert: `reject` the data (it would fail again) or `retry`. */
export function classifyPgError(error: unknown): 'retry' | 'reject' {
  const code = sqlState(error);
  if (code === undefined) return 'retry';
  return code.startsWith('22') || code.startsWith('23') || code === '54000' ? 'reject' : 'retry';
}

/** `true` for errors at start that waiting will not fix (credentials, missing database, privileges). */
export function isLastingAtStart(error: unknown): boolean {
  const code = sqlState(error);
  return code !== undefined && LASTING_AT_START.has(code);
}

/** `true` when the table or its schema no longer exists, so the migrations must run again. */
export function isTableGone(error: unknown): boolean {
  const code = sqlState(error);
  return code !== undefined && TABLE_GONE.has(code);
}

/** The first line of an error's message, for log fields and wrapped messages. */
export function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0] ?? text;
}
