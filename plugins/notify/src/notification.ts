/**
 * The notification: the one message format every channel sends (the webhook's JSON body, the
 * e-mail's text and HTML), and how it is written for people.
 *
 * @remarks
 * Pure. The JSON shape is documented in the plugin's README (`schema: 'xcore.notify/v1'`);
 * fields are only ever added to it within v1.
 */
import type { NotifyOutcome } from './config.js';
import { renderTemplate, type TemplateField } from './template.js';

/** `failure`: a job's outcome matched a rule; `recovery`: a failing job succeeded again; `test`: sent by the `test` action. */
export type NotificationEvent = 'failure' | 'recovery' | 'test';

/** The message, as POSTed by the webhook channel (JSON) and written into e-mails. */
export interface Notification {
  /** Version of this shape. */
  readonly schema: 'xcore.notify/v1';
  /** Unique per message, the same on every retry of it: the receiver's idempotency key. */
  readonly id: string;
  readonly event: NotificationEvent;
  /** `app.name` of the sending process. */
  readonly app: string;
  /** Host name of the sending process. */
  readonly host: string;
  /** Name of the rule that sent it. */
  readonly rule: string;
  /** The job's id, fully qualified (`plugin:id`; YAML jobs as written). */
  readonly jobId: string;
  /** The job's owner: a plugin name, `config` (YAML jobs) or `app`. */
  readonly owner: string;
  /** What happened: a failure outcome, or `succeeded` for a recovery. */
  readonly outcome: NotifyOutcome | 'succeeded';
  /** The occurrence (ISO 8601), or `null` (missed occurrences, test messages). */
  readonly scheduledAt: string | null;
  /** Attempts the run made (retries + 1), or `null` when it did not run. */
  readonly attempts: number | null;
  /** The last attempt's error message, or why it did not run, or `null`. */
  readonly error: string | null;
  readonly counts: {
    /** Failures since the previous message about this job (for a failure, this one included). */
    readonly sinceLastMessage: number;
    /** Failures in a row since the job last succeeded (for a recovery: of the streak that ended). */
    readonly consecutive: number;
  };
  /** When the failing streak began (ISO 8601), or `null`. */
  readonly failingSince: string | null;
  /** When the previous message about this job went out (ISO 8601), or `null`. */
  readonly previousMessageAt: string | null;
  /** When this message was created (ISO 8601). */
  readonly createdAt: string;
  /** One line for people, e.g. `job orders:sync failed (3 attempts): connect ECONNREFUSED`. */
  readonly summary: string;
}

/** What a notification is built from. */
export type NotificationInput = Omit<Notification, 'schema' | 'summary'>;

const STATUS_TEXT: Readonly<Record<Notification['outcome'], string>> = {
  failed: 'failed',
  timed_out: 'timed out',
  aborted: 'was aborted',
  missed: 'missed occurrences',
  skipped: 'skipped an occurrence',
  succeeded: 'recovered',
};

/** Words for the outcome: `failed`, `timed out`, `recovered`, ... (the `{status}` placeholder). */
export function statusText(n: Pick<Notification, 'event' | 'outcome'>): string {
  return n.event === 'test' ? 'test message' : STATUS_TEXT[n.outcome];
}

/** Builds a notification with its summary line. */
export function buildNotification(input: NotificationInput): Notification {
  const n = { schema: 'xcore.notify/v1' as const, ...input };
  return { ...n, summary: summaryOf(n) };
}

function summaryOf(n: Omit<Notification, 'summary'>): string {
  if (n.event === 'test') return `test message from ${n.app} on ${n.host}`;
  const { sinceLastMessage, consecutive } = n.counts;
  if (n.event === 'recovery') {
    const unreported = sinceLastMessage > 0 ? `, ${plural(sinceLastMessage, 'failure')} since the last message` : '';
    return `job ${n.jobId} recovered after ${plural(consecutive, 'failure')} in a row${unreported}`;
  }
  const attempts = n.attempts !== null && n.attempts > 1 ? ` (${n.attempts} attempts)` : '';
  const error = n.error === null ? '' : `: ${n.error}`;
  const more = sinceLastMessage > 1 ? `; ${plural(sinceLastMessage, 'failure')} since the last message` : '';
  return `job ${n.jobId} ${statusText(n)}${attempts}${error}${more}`;
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Values of the subject placeholders. */
export function templateValues(n: Notification): Record<TemplateField, string> {
  return { app: n.app, host: n.host, jobId: n.jobId, owner: n.owner, outcome: n.outcome, status: statusText(n), event: n.event, rule: n.rule };
}

/** The e-mail subject from a template. */
export function renderSubject(template: string, n: Notification): string {
  // Header injection: a job id or error never brings a line break into the subject.
  return renderTemplate(template, templateValues(n)).replace(/[\r\n]+/g, ' ');
}

/** The fields shown to people, in order, with their values as text. */
function facts(n: Notification): [string, string][] {
  const rows: [string, string | null][] = [
    ['Job', n.jobId],
    ['Owner', n.owner],
    ['Outcome', n.outcome],
    ['Scheduled at', n.scheduledAt],
    ['Attempts', n.attempts === null ? null : String(n.attempts)],
    ['Error', n.error],
    ['Failures since the last message', String(n.counts.sinceLastMessage)],
    ['Failures in a row', String(n.counts.consecutive)],
    ['Failing since', n.failingSince],
    ['App', `${n.app} on ${n.host}`],
    ['Rule', n.rule],
    ['Message id', n.id],
  ];
  return rows.filter((row): row is [string, string] => row[1] !== null);
}

/** Plain-text e-mail body. */
export function renderText(n: Notification): string {
  return `${n.summary}\n\n${facts(n).map(([k, v]) => `${k}: ${v}`).join('\n')}\n`;
}

/** Short HTML e-mail body (every value escaped). */
export function renderHtml(n: Notification): string {
  const rows = facts(n)
    .map(([k, v]) => `<tr><th align="left" style="padding-right:1em">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`)
    .join('');
  return `<p><strong>${escapeHtml(n.summary)}</strong></p><table>${rows}</table>`;
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
