/**
 * Webhook signatures: HMAC-SHA256 over the timestamp and the raw body.
 *
 * @remarks
 * The signed content is `<timestamp>.<raw body>`, where `<timestamp>` is the value of the
 * `X-Xcore-Timestamp` header (Unix seconds). The `X-Xcore-Signature` header is
 * `sha256=<lowercase hex HMAC>`. A receiver recomputes the HMAC with the shared secret over the
 * bytes it received, compares in constant time and refuses a timestamp too far from its clock,
 * so a captured request cannot be replayed later. Each retry is signed again with a fresh
 * timestamp; the body (and its `id`) is the same.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Header carrying `sha256=<hex>`. */
export const SIGNATURE_HEADER = 'X-Xcore-Signature';
/** Header carrying the signing time, Unix seconds. */
export const TIMESTAMP_HEADER = 'X-Xcore-Timestamp';

/** The `X-Xcore-Signature` value for `body` sent at `timestamp` (Unix seconds). */
export function signWebhook(secret: string, timestamp: number | string, body: string | Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex')}`;
}

/** What {@link verifyWebhookSignature} needs. */
export interface VerifyWebhookInput {
  readonly secret: string;
  /** The raw request body, exactly as received (not re-serialized JSON). */
  readonly body: string | Buffer;
  /** The `X-Xcore-Signature` header. */
  readonly signature: string | undefined;
  /** The `X-Xcore-Timestamp` header. */
  readonly timestamp: string | undefined;
  /** Largest accepted distance between the timestamp and `now`, seconds. @defaultValue `300` */
  readonly toleranceSeconds?: number;
  /** The receiver's clock, ms. @defaultValue `Date.now()` */
  readonly now?: number;
}

/**
 * Checks a webhook request signed by the notify plugin; for receivers written in Node.
 *
 * @returns `true` when the signature is valid and the timestamp within tolerance.
 *
 * @example
 * ```ts
 * const ok = verifyWebhookSignature({
 *   secret: process.env.NOTIFY_WEBHOOK_SECRET!,
 *   body: rawBody,
 *   signature: req.headers['x-xcore-signature'] as string | undefined,
 *   timestamp: req.headers['x-xcore-timestamp'] as string | undefined,
 * });
 * ```
 */
export function verifyWebhookSignature(input: VerifyWebhookInput): boolean {
  const { secret, signature, timestamp } = input;
  if (signature === undefined || timestamp === undefined || !/^\d{1,12}$/.test(timestamp)) return false;
  const now = input.now ?? Date.now();
  if (Math.abs(now / 1000 - Number(timestamp)) > (input.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(signWebhook(secret, timestamp, input.body));
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
