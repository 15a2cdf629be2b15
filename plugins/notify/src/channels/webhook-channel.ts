/**
 * The webhook channel: each notification POSTed as JSON, signed with HMAC-SHA256.
 *
 * @remarks
 * Headers: `Content-Type: application/json`, `X-Xcore-Event` (`failure`, `recovery`, `test`),
 * `X-Xcore-Message-Id` (the body's `id`, the same on every retry), `X-Xcore-Timestamp` (Unix
 * seconds) and `X-Xcore-Signature: sha256=<hex>` over `<timestamp>.<body>` (see
 * `signature.ts`), plus the configured `headers`. A 2xx is delivered; 429 and 5xx are retried
 * (honouring Retry-After), as are network errors and timeouts; any other status (a 4xx, or a
 * redirect, which is not followed so a signed body never goes elsewhere) gives the message up.
 */
import type { WebhookChannelConfig } from '../config.js';
import { parseRetryAfter, type AttemptOutcome } from '../delivery-retry.js';
import type { Notification } from '../notification.js';
import { signWebhook } from '../signature.js';
import type { Channel } from './channel.js';

/** Most characters of a refusing receiver's answer quoted in the reason. */
const QUOTED_BODY_CHARS = 200;

/** Creates a webhook {@link Channel}. */
export function createWebhookChannel(name: string, config: WebhookChannelConfig, now: () => number = Date.now): Channel {
  const { url, secret, headers, timeout } = config;
  // Reasons are logged: name the receiver by origin, as a URL's path or query may hold a token.
  const origin = new URL(url).origin;
  return {
    name,
    type: 'webhook',
    policy: config,
    async attempt(notification: Notification, signal: AbortSignal): Promise<AttemptOutcome> {
      const body = JSON.stringify(notification);
      const timestamp = Math.floor(now() / 1000);
      const timer = AbortSignal.timeout(timeout);
      let response: Response;
      let text: string;
      try {
        response = await fetch(url, {
          method: 'POST',
          redirect: 'manual',
          signal: AbortSignal.any([signal, timer]),
          body,
          headers: {
            ...headers,
            'content-type': 'application/json',
            'user-agent': 'xcore-notify/1',
            'x-xcore-event': notification.event,
            'x-xcore-message-id': notification.id,
            'x-xcore-timestamp': String(timestamp),
            'x-xcore-signature': signWebhook(secret, timestamp, body),
          },
        });
        // Read (and so release) the answer within the same timeout.
        text = await response.text();
      } catch (error) {
        if (signal.aborted) return { ok: false, retry: false, reason: 'stopped while sending' };
        if (timer.aborted) return { ok: false, retry: true, reason: `no answer from ${origin} within ${timeout} ms` };
        return { ok: false, retry: true, reason: networkReason(error, origin) };
      }
      const status = response.status;
      if (status >= 200 && status < 300) return { ok: true };
      const answer = `HTTP ${status}${response.statusText === '' ? '' : ` ${response.statusText}`} from ${origin}`;
      if (status === 429 || status >= 500) {
        const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), now());
        return retryAfterMs === undefined ? { ok: false, retry: true, reason: answer } : { ok: false, retry: true, reason: answer, retryAfterMs };
      }
      if (status >= 300 && status < 400) {
        return { ok: false, retry: false, reason: `${answer} (redirect to ${response.headers.get('location') ?? '?'}; redirects are not followed, set url to the final address)` };
      }
      const quoted = text.trim().replace(/\s+/g, ' ').slice(0, QUOTED_BODY_CHARS);
      return { ok: false, retry: false, reason: quoted === '' ? answer : `${answer}: ${quoted}` };
    },
    close() {},
  };
}

/** `connect ECONNREFUSED 127.0.0.1:9` rather than fetch's bare `fetch failed`. */
function networkReason(error: unknown, origin: string): string {
  const cause = error instanceof Error ? error.cause : undefined;
  if (cause instanceof Error && cause.message !== '') return `${cause.message} (${origin})`;
  return `${error instanceof Error ? error.message : String(error)} (${origin})`;
}
