/**
 * Audit lines: one for every write action (who, what, on what, with which result), logged and
 * emitted on the event bus as `http.audit`.
 */
import type { EventBus } from '@xcore/core';
import type { Logger } from 'pino';
import type { Identity } from '../auth/access-guard.js';

/**
 * How a write action ended: `ok` (2xx), `denied` (401, 403, 429: refused before the handler ran),
 * `rejected` (another 4xx: bad input, not found, conflict) or `failed` (5xx).
 */
export type AuditResult = 'ok' | 'denied' | 'rejected' | 'failed';

/** One audit line, as logged and as the `http.audit` event carries it. */
export interface AuditEntry {
  /** When the answer was sent (ISO 8601). */
  readonly time: string;
  readonly requestId: string;
  /** Who: how the caller was identified and as whom; `unknown` when refused before that. */
  readonly actor: { readonly kind: Identity['kind'] | 'unknown'; readonly subject: string };
  /** The client's address (after `trustProxy`). */
  readonly client: string;
  /** What: the route's action name (`job.run`), or `METHOD /path` of the route. */
  readonly action: string;
  /** On what: the job id or the path parameters; absent when the route has none. */
  readonly target?: string;
  readonly result: AuditResult;
  /** HTTP status answered. */
  readonly status: number;
  /** The error code when the action did not succeed. */
  readonly code?: string;
}

/** The audit result of a status. */
export function auditResult(status: number): AuditResult {
  if (status < 400) return 'ok';
  if (status === 401 || status === 403 || status === 429) return 'denied';
  return status < 500 ? 'rejected' : 'failed';
}

/** Writes audit lines to the log (`component: audit`, message `audit`) and the event bus. */
export class AuditLog {
  readonly #logger: Logger;
  readonly #events: EventBus | undefined;

  constructor(logger: Logger, events: EventBus | undefined) {
    this.#logger = logger.child({ component: 'audit' });
    this.#events = events;
  }

  /** Records one entry. */
  record(entry: AuditEntry): void {
    this.#logger.info({ audit: entry }, 'audit');
    this.#events?.emit('http.audit', entry);
  }
}

declare module '@xcore/core' {
  interface XcoreEvents {
    /** A write action was attempted on the http service (admin API or plugin route), with its result. */
    'http.audit': AuditEntry;
  }
}
