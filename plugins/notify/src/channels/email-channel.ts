/**
 * The e-mail channel: one message per notification, over SMTP with nodemailer.
 *
 * @remarks
 * Each message has a plain-text and a short HTML body, the subject from the channel's template,
 * and an `X-Xcore-Message-Id` header (the notification's `id`). The SMTP connection, greeting and
 * socket each time out after `timeout`, and the whole attempt too. A reply the server marks
 * permanent (5xx: bad recipient, refused login) gives the message up; a 4xx reply, a network
 * error or a timeout is retried. One connection per message: notifications are rare, and a
 * pooled connection would outlive a server that went away.
 */
import nodemailer from 'nodemailer';
import type { EmailChannelConfig } from '../config.js';
import type { AttemptOutcome } from '../delivery-retry.js';
import { renderHtml, renderSubject, renderText, type Notification } from '../notification.js';
import type { Channel } from './channel.js';

/** Socket-level errors worth another attempt (nodemailer's codes). */
const TRANSIENT_CODES: ReadonlySet<string> = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ECONNRESET', 'ECONNREFUSED', 'EPIPE']);

/** Creates an e-mail {@link Channel}. */
export function createEmailChannel(name: string, config: EmailChannelConfig): Channel {
  const { smtp, timeout } = config;
  const transport = nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port ?? (smtp.secure ? 465 : 587),
    secure: smtp.secure,
    requireTLS: smtp.requireTLS,
    ...(smtp.auth === undefined ? {} : { auth: { user: smtp.auth.user, pass: smtp.auth.pass } }),
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
    dnsTimeout: timeout,
    // Nothing in a notification is a file or URL to fetch: a job's error text never makes nodemailer read one.
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  const where = `${smtp.host}:${smtp.port ?? (smtp.secure ? 465 : 587)}`;
  return {
    name,
    type: 'email',
    policy: config,
    async attempt(notification: Notification, signal: AbortSignal): Promise<AttemptOutcome> {
      if (signal.aborted) return { ok: false, retry: false, reason: 'stopped before sending' };
      const sending = transport.sendMail({
        from: config.from,
        to: [...config.to],
        subject: renderSubject(config.subject, notification),
        text: renderText(notification),
        html: renderHtml(notification),
        headers: { 'X-Xcore-Message-Id': notification.id, 'X-Xcore-Event': notification.event },
      });
      let timer: NodeJS.Timeout | undefined;
      let onAbort: (() => void) | undefined;
      const cut = new Promise<AttemptOutcome>((resolve) => {
        timer = setTimeout(() => resolve({ ok: false, retry: true, reason: `no answer from SMTP ${where} within ${timeout} ms` }), timeout);
        onAbort = () => resolve({ ok: false, retry: false, reason: 'stopped while sending' });
        signal.addEventListener('abort', onAbort, { once: true });
      });
      try {
        return await Promise.race([sending.then((): AttemptOutcome => ({ ok: true }), (error: unknown) => classify(error, where)), cut]);
      } finally {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort!);
      }
    },
    close() {
      transport.close();
    },
  };
}

/** Whether an SMTP failure is worth another attempt, and why it happened. */
function classify(error: unknown, where: string): AttemptOutcome {
  const e = (error ?? {}) as { message?: unknown; code?: unknown; responseCode?: unknown; permanent?: unknown };
  const message = typeof e.message === 'string' ? e.message : String(error);
  const reason = `SMTP ${where}: ${message}`;
  if (typeof e.permanent === 'boolean') return { ok: false, retry: !e.permanent, reason };
  if (typeof e.responseCode === 'number') return { ok: false, retry: e.responseCode < 500, reason };
  return { ok: false, retry: typeof e.code === 'string' && TRANSIENT_CODES.has(e.code), reason };
}
