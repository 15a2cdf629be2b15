/**
 * The e-mail channel against a real SMTP server (`smtp-server`, on a free port): what arrives,
 * and which refusals are retried.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { emailChannelSchema } from '../config.js';
import { deliverWithRetries } from '../delivery-retry.js';
import { buildNotification, type Notification } from '../notification.js';
import { startSmtpReceiver, type MailReply, type SmtpReceiver } from '../smtp-receiver.fixtures.js';
import { createEmailChannel } from './email-channel.js';

const LOGIN = { user: 'xcore', pass: 'hunter2-but-longer' };
let smtp: SmtpReceiver | undefined;

afterEach(async () => {
  await smtp?.close();
  smtp = undefined;
});

const failure = (overrides: Partial<Notification> = {}): Notification =>
  buildNotification({
    id: 'msg-1', event: 'failure', app: 'billing', host: 'web-1', rule: 'rule-1', jobId: 'invoices:send', owner: 'invoices', outcome: 'failed',
    scheduledAt: '2026-03-01T10:00:00.000Z', attempts: 3, error: 'connect ECONNREFUSED <db>', counts: { sinceLastMessage: 1, consecutive: 1 },
    failingSince: '2026-03-01T10:00:01.000Z', previousMessageAt: null, createdAt: '2026-03-01T10:00:02.000Z', ...overrides,
  });

const channelOn = (port: number, extra: Record<string, unknown> = {}) =>
  createEmailChannel(
    'ops-mail',
    emailChannelSchema.parse({
      type: 'email', smtp: { host: '127.0.0.1', port, auth: LOGIN }, from: 'xcore <xcore@example.com>', to: ['ops@example.com', 'Oncall <oncall@example.com>'],
      backoff: '10ms', ...extra,
    }),
  );

const receiver = async (reply?: (n: number) => MailReply): Promise<SmtpReceiver> => (smtp = await startSmtpReceiver(LOGIN, reply));

describe('email channel', () => {
  it('sends a message with the templated subject, every recipient, a text and an HTML body', async () => {
    const server = await receiver();
    const channel = channelOn(server.port, { subject: '{{xcore}} {app}: {jobId} {status} ({event})' });
    await expect(channel.attempt(failure({ error: 'bad <input> & "quotes"' }), new AbortController().signal)).resolves.toEqual({ ok: true });
    const [mail] = await server.waitFor(1);
    expect(mail).toMatchObject({
      from: 'xcore@example.com',
      rcptTo: ['ops@example.com', 'oncall@example.com'],
      subject: '{xcore} billing: invoices:send failed (failure)',
      to: 'ops@example.com, "Oncall" <oncall@example.com>',
      user: 'xcore',
    });
    expect(mail!.text).toContain('job invoices:send failed (3 attempts): bad <input> & "quotes"');
    expect(mail!.text).toContain('Failures in a row: 1');
    expect(mail!.html).toContain('bad &#60;input&#62; &#38; &#34;quotes&#34;');
    expect(mail!.headers.get('x-xcore-message-id')).toBe('msg-1');
    channel.close();
  });

  it('keeps line breaks of a job id or error out of the subject', async () => {
    const server = await receiver();
    const channel = channelOn(server.port);
    await channel.attempt(failure({ jobId: 'evil\r\nBcc: victim@example.com' }), new AbortController().signal);
    const [mail] = await server.waitFor(1);
    expect(mail!.subject).toBe('[billing] evil Bcc: victim@example.com failed');
    expect(mail!.rcptTo).toEqual(['ops@example.com', 'oncall@example.com']);
    channel.close();
  });

  it('retries a 4xx reply and gives up at once on a 5xx reply', async () => {
    const server = await receiver((n) => (n === 1 ? { code: 451, message: 'try again later' } : n === 2 ? 'accept' : { code: 554, message: 'rejected as spam' }));
    const channel = channelOn(server.port, { retries: 3 });
    const signal = new AbortController().signal;
    await expect(deliverWithRetries(() => channel.attempt(failure(), signal), channel.policy, signal)).resolves.toEqual({ ok: true, attempts: 2 });
    const refused = await deliverWithRetries(() => channel.attempt(failure(), signal), channel.policy, signal);
    expect(refused).toMatchObject({ ok: false, attempts: 1, reason: expect.stringContaining('rejected as spam') });
    expect(server.attempts).toBe(3);
    channel.close();
  });

  it('a wrong password is refused for good, naming the server', async () => {
    const server = await receiver();
    const channel = channelOn(server.port, { smtp: { host: '127.0.0.1', port: server.port, auth: { user: 'xcore', pass: 'wrong' } } });
    const outcome = await channel.attempt(failure(), new AbortController().signal);
    expect(outcome).toMatchObject({ ok: false, retry: false, reason: expect.stringMatching(/^SMTP 127\.0\.0\.1:\d+: .*Invalid username or password/) });
    expect(server.messages).toEqual([]);
    channel.close();
  });

  it('a server that is not there is a failure worth retrying', async () => {
    const server = await receiver();
    const port = server.port;
    await server.close();
    smtp = undefined;
    const channel = channelOn(port, { timeout: '2s' });
    await expect(channel.attempt(failure(), new AbortController().signal)).resolves.toMatchObject({ ok: false, retry: true, reason: expect.stringContaining(`127.0.0.1:${port}`) });
    channel.close();
  });
});
