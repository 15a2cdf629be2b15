import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signWebhook, verifyWebhookSignature } from './signature.js';

const SECRET = 'a-secret-of-at-least-16-chars';
const body = '{"id":"m1","event":"failure"}';
const now = Date.parse('2026-03-01T10:00:00Z');
const ts = String(now / 1000);

describe('webhook signatures', () => {
  it('is sha256=<hex HMAC> of "<timestamp>.<body>", as a receiver in any language computes it', () => {
    const hex = createHmac('sha256', SECRET).update(`${ts}.${body}`).digest('hex');
    expect(signWebhook(SECRET, ts, body)).toBe(`sha256=${hex}`);
  });

  it('verifies a good request and refuses a changed body, another secret, a missing header or an old timestamp', () => {
    const signature = signWebhook(SECRET, ts, body);
    const base = { secret: SECRET, body, signature, timestamp: ts, now };
    expect(verifyWebhookSignature(base)).toBe(true);
    expect(verifyWebhookSignature({ ...base, body: Buffer.from(body) })).toBe(true);
    expect(verifyWebhookSignature({ ...base, body: body.replace('failure', 'recovery') })).toBe(false);
    expect(verifyWebhookSignature({ ...base, secret: 'another-secret-of-16-chars' })).toBe(false);
    expect(verifyWebhookSignature({ ...base, signature: undefined })).toBe(false);
    expect(verifyWebhookSignature({ ...base, timestamp: 'soon' })).toBe(false);
    expect(verifyWebhookSignature({ ...base, now: now + 301_000 })).toBe(false);
    expect(verifyWebhookSignature({ ...base, now: now + 301_000, toleranceSeconds: 600 })).toBe(true);
    // Replaying the body under a new timestamp needs a new signature.
    expect(verifyWebhookSignature({ ...base, timestamp: String(now / 1000 + 60) })).toBe(false);
  });
});
