/**
 * The webhook channel against a local HTTP receiver that checks signatures as the README says.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { webhookChannelSchema } from '../config.js';
import { deliverWithRetries } from '../delivery-retry.js';
import { buildNotification, type Notification } from '../notification.js';
import { signWebhook } from '../signature.js';
import { startWebhookReceiver, type Reply, type WebhookReceiver } from '../webhook-receiver.fixtures.js';
import { createWebhookChannel } from './webhook-channel.js';

const SECRET = 'a-secret-of-at-least-16-chars';
let receiver: WebhookReceiver | undefined;

afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

const message: Notification = buildNotification({
  id: '0b5e2f4c-msg', event: 'failure', app: 'billing', host: 'web-1', rule: 'rule-1', jobId: 'invoices:send', owner: 'invoices', outcome: 'timed_out',
  scheduledAt: '2026-03-01T10:00:00.000Z', attempts: 2, error: 'Job "invoices:send" attempt 2 timed out after 50 ms', counts: { sinceLastMessage: 1, consecutive: 4 },
  failingSince: '2026-03-01T09:00:00.000Z', previousMessageAt: null, createdAt: '2026-03-01T10:00:02.000Z',
});

const start = async (reply?: (n: number) => Reply): Promise<WebhookReceiver> => (receiver = await startWebhookReceiver(SECRET, reply));
const channelFor = (url: string, extra: Record<string, unknown> = {}) =>
  createWebhookChannel('ops-hook', webhookChannelSchema.parse({ type: 'webhook', url, secret: SECRET, backoff: '20ms', ...extra }));
const send = (channel: ReturnType<typeof channelFor>) => {
  const signal = new AbortController().signal;
  return deliverWithRetries(() => channel.attempt(message, signal), channel.policy, signal);
};

describe('webhook channel', () => {
  it('POSTs the notification as JSON with a valid signature over timestamp and body, and the configured headers', async () => {
    const hook = await start();
    const result = await send(channelFor(hook.url, { headers: { Authorization: 'Bearer t0k3n' } }));
    expect(result).toEqual({ ok: true, attempts: 1 });
    const [req] = hook.requests;
    expect(req!.signatureValid).toBe(true);
    expect(req!.json).toEqual(JSON.parse(JSON.stringify(message)));
    expect(req!.headers).toMatchObject({
      'content-type': 'application/json',
      authorization: 'Bearer t0k3n',
      'x-xcore-event': 'failure',
      'x-xcore-message-id': '0b5e2f4c-msg',
      'x-xcore-signature': signWebhook(SECRET, req!.headers['x-xcore-timestamp'] as string, req!.body),
    });
    expect(Math.abs(Number(req!.headers['x-xcore-timestamp']) - Date.now() / 1000)).toBeLessThan(60);
    // Signed with another secret, or with the body changed, it does not verify.
    expect(signWebhook('another-secret-16chars', req!.headers['x-xcore-timestamp'] as string, req!.body)).not.toBe(req!.headers['x-xcore-signature']);
  });

  it('retries a 503 (waiting its Retry-After) and a 429, then succeeds; the body and id stay the same', async () => {
    const hook = await start((n) => (n === 1 ? { status: 503, headers: { 'retry-after': '1' } } : n === 2 ? { status: 429 } : { status: 204 }));
    const result = await send(channelFor(hook.url, { retries: 3 }));
    expect(result).toEqual({ ok: true, attempts: 3 });
    expect(hook.requests.map((r) => r.json.id)).toEqual(['0b5e2f4c-msg', '0b5e2f4c-msg', '0b5e2f4c-msg']);
    expect(hook.requests.every((r) => r.signatureValid)).toBe(true);
    expect(hook.requests[1]!.at - hook.requests[0]!.at).toBeGreaterThanOrEqual(990);
  });

  it('does not retry a 400, and quotes what the receiver said', async () => {
    const hook = await start(() => ({ status: 400, body: '{"error":"unknown field"}' }));
    const result = await send(channelFor(hook.url, { retries: 5 }));
    expect(result).toEqual({ ok: false, attempts: 1, reason: `HTTP 400 Bad Request from ${new URL(hook.url).origin}: {"error":"unknown field"}` });
    expect(hook.requests).toHaveLength(1);
  });

  it('gives up after its retries on a receiver that keeps failing', async () => {
    const hook = await start(() => ({ status: 500 }));
    expect(await send(channelFor(hook.url, { retries: 2 }))).toMatchObject({ ok: false, attempts: 3, reason: expect.stringContaining('HTTP 500') });
    expect(hook.requests).toHaveLength(3);
  });

  it('gives up at once when Retry-After asks for longer than maxBackoff', async () => {
    const hook = await start(() => ({ status: 503, headers: { 'retry-after': '3600' } }));
    const result = await send(channelFor(hook.url, { retries: 5, maxBackoff: '30s' }));
    expect(result).toMatchObject({ ok: false, attempts: 1, reason: expect.stringContaining('retry after 3600 s, beyond maxBackoff (30000 ms)') });
  });

  it('times an attempt out, and retries it', async () => {
    const hook = await start((n) => (n === 1 ? 'hang' : { status: 200 }));
    const started = Date.now();
    expect(await send(channelFor(hook.url, { timeout: '200ms', retries: 1 }))).toEqual({ ok: true, attempts: 2 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(200);
  });

  it('reports a timeout that is not retried as no answer within the timeout', async () => {
    const hook = await start(() => 'hang');
    const outcome = await channelFor(hook.url, { timeout: '150ms' }).attempt(message, new AbortController().signal);
    expect(outcome).toEqual({ ok: false, retry: true, reason: `no answer from ${new URL(hook.url).origin} within 150 ms` });
  });

  it('a receiver that is down is a retryable failure naming only the origin (a token in the path stays out of logs)', async () => {
    const hook = await start();
    const url = `${new URL(hook.url).origin}/hooks/T0KEN-IN-PATH?key=s3cret`;
    await hook.close();
    receiver = undefined;
    const outcome = await channelFor(url).attempt(message, new AbortController().signal);
    expect(outcome).toMatchObject({ ok: false, retry: true, reason: expect.stringContaining('ECONNREFUSED') });
    expect(JSON.stringify(outcome)).not.toMatch(/T0KEN|s3cret/);
  });

  it('does not follow a redirect with a signed body', async () => {
    const hook = await start(() => ({ status: 307, headers: { location: 'http://elsewhere.example/' } }));
    expect(await send(channelFor(hook.url))).toMatchObject({ ok: false, attempts: 1, reason: expect.stringContaining('redirect to http://elsewhere.example/') });
  });

  it('ends an attempt at once when the notifier stops', async () => {
    const hook = await start(() => 'hang');
    const stop = new AbortController();
    const attempt = channelFor(hook.url, { timeout: '1m' }).attempt(message, stop.signal);
    await hook.waitFor(1);
    stop.abort();
    await expect(attempt).resolves.toEqual({ ok: false, retry: false, reason: 'stopped while sending' });
  });
});
