/**
 * The `notify` plugin in a real kernel with the scheduler: jobs fail, time out and recover; a
 * local webhook receiver checks signatures and a local SMTP server reads the mail back.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { bootNotifyApp, type BootOptions, type NotifyApp } from './notify-kernel.fixtures.js';
import { startSmtpReceiver, type SmtpReceiver } from './smtp-receiver.fixtures.js';
import { startWebhookReceiver, type Reply, type WebhookReceiver } from './webhook-receiver.fixtures.js';

const SECRET = 'notify-test-secret-0123456789';
const LOGIN = { user: 'xcore', pass: 'smtp-password' };
const cleanup: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const close of cleanup.splice(0).reverse()) await close();
});

async function receiver(reply?: (n: number) => Reply): Promise<WebhookReceiver> {
  const hook = await startWebhookReceiver(SECRET, reply);
  cleanup.push(() => hook.close());
  return hook;
}

async function smtpServer(): Promise<SmtpReceiver> {
  const smtp = await startSmtpReceiver(LOGIN);
  cleanup.push(() => smtp.close());
  return smtp;
}

async function boot(options: BootOptions): Promise<NotifyApp> {
  const app = await bootNotifyApp({ ...options, env: { HOOK_SECRET: SECRET, SMTP_PASS: LOGIN.pass, ...options.env } });
  cleanup.push(() => app.close());
  return app;
}

/** A webhook channel `hook` to `url` (with extra YAML lines) and rules (YAML lines), for `notify:`. */
const webhookConfig = (url: string, rules = '', channel = '') =>
  `      channels:\n        hook:\n          type: webhook\n          url: ${url}\n          secret: \${HOOK_SECRET}\n          backoff: 20ms\n${channel}${rules}`;

describe('notify plugin', () => {
  it('a job failing 3 times within the window sends one signed message; the recovery message carries the count', async () => {
    const hook = await receiver();
    const app = await boot({ notify: webhookConfig(hook.url, '      rules:\n        - jobs: ["work:*"]\n          window: 1h\n'), appName: 'billing' });
    for (let i = 0; i < 3; i++) expect(await app.run('sync')).toMatchObject({ status: 'failed', attempts: 2 });
    const settled = await app.settled();
    expect(settled.channels['hook']).toMatchObject({ sent: 1, failed: 0, dropped: 0 });
    expect(settled).toMatchObject({ suppressed: 2, rules: [{ name: 'rule-1', failingJobs: 1, unreported: 2 }] });
    expect(hook.requests).toHaveLength(1);
    const [first] = hook.requests;
    expect(first!.signatureValid).toBe(true);
    expect(first!.json).toMatchObject({
      schema: 'xcore.notify/v1', event: 'failure', app: 'billing', rule: 'rule-1', jobId: 'work:sync', owner: 'work', outcome: 'failed',
      attempts: 2, error: 'database unreachable', counts: { sinceLastMessage: 1, consecutive: 1 }, previousMessageAt: null,
      summary: 'job work:sync failed (2 attempts): database unreachable',
    });

    await app.succeed(true);
    expect(await app.run('sync')).toMatchObject({ status: 'succeeded' });
    const [, recovery] = await hook.waitFor(2);
    expect(recovery!.signatureValid).toBe(true);
    expect(recovery!.headers['x-xcore-event']).toBe('recovery');
    expect(recovery!.json).toMatchObject({
      event: 'recovery', jobId: 'work:sync', outcome: 'succeeded', error: null, counts: { sinceLastMessage: 2, consecutive: 3 },
      failingSince: first!.json['failingSince'], previousMessageAt: expect.any(String),
      summary: 'job work:sync recovered after 3 failures in a row, 2 failures since the last message',
    });
    expect(recovery!.json.id).not.toBe(first!.json.id);
    // A success of a job that was not failing sends nothing.
    await app.run('sync');
    expect((await app.settled()).channels['hook']!.sent).toBe(2);
    expect(hook.requests).toHaveLength(2);
  });

  it('the next failure message after the window reports the failures counted in it', async () => {
    const hook = await receiver();
    const app = await boot({ notify: webhookConfig(hook.url, '      rules:\n        - window: 1500ms\n') });
    const started = Date.now();
    for (let i = 0; i < 3; i++) await app.run('sync');
    await hook.waitFor(1);
    expect((await app.settled()).suppressed).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, started + 1600 - Date.now())));
    await app.run('sync');
    const [, second] = await hook.waitFor(2);
    expect(second!.json).toMatchObject({ event: 'failure', counts: { sinceLastMessage: 3, consecutive: 4 }, summary: expect.stringMatching(/; 3 failures since the last message$/) });
    expect(Date.parse(second!.json['previousMessageAt'] as string)).toBe(Date.parse(hook.requests[0]!.json['createdAt'] as string));
  });

  it('routes by rule: sync failures to the webhook, timeouts by e-mail, read back from the SMTP server', async () => {
    const hook = await receiver();
    const smtp = await smtpServer();
    const mail =
      `        mail:\n          type: email\n          smtp: { host: 127.0.0.1, port: ${smtp.port}, auth: { user: xcore, pass: "\${SMTP_PASS}" } }\n` +
      '          from: "xcore <xcore@example.com>"\n          to: [ops@example.com]\n          subject: "[{app}] {jobId} {status}"\n';
    const rules = '      rules:\n        - jobs: ["work:sync"]\n          channels: [hook]\n        - name: timeouts\n          owners: [work]\n          outcomes: [timed_out]\n          channels: [mail]\n';
    const app = await boot({ notify: webhookConfig(hook.url, rules, mail), appName: 'billing' });
    expect(await app.run('stuck')).toMatchObject({ status: 'timed_out' });
    expect(await app.run('sync')).toMatchObject({ status: 'failed' });
    const [message] = await smtp.waitFor(1);
    expect(message).toMatchObject({ rcptTo: ['ops@example.com'], to: 'ops@example.com', subject: '[billing] work:stuck timed out', user: 'xcore' });
    expect(message!.text).toMatch(/^job work:stuck timed out: Job "work:stuck" attempt 1 timed out after 50 ms/);
    expect(message!.text).toContain('Rule: timeouts');
    expect(message!.html).toContain('<strong>job work:stuck timed out: Job &#34;work:stuck&#34; attempt 1 timed out after 50 ms');
    const status = await app.settled();
    expect(hook.requests.map((r) => r.json.jobId)).toEqual(['work:sync']);
    expect(smtp.messages).toHaveLength(1);
    expect(status.channels).toMatchObject({ hook: { type: 'webhook', sent: 1 }, mail: { type: 'email', sent: 1 } });
  });

  it('by e-mail too: a job failing 3 times within the window sends one message, and its recovery one more, read back from the SMTP server', async () => {
    const smtp = await smtpServer();
    const mail =
      `      channels:\n        mail:\n          type: email\n          smtp: { host: 127.0.0.1, port: ${smtp.port}, auth: { user: xcore, pass: "\${SMTP_PASS}" } }\n` +
      '          from: "xcore <xcore@example.com>"\n          to: [ops@example.com]\n          backoff: 20ms\n      rules:\n        - jobs: ["work:sync"]\n          window: 1h\n';
    const app = await boot({ notify: mail, appName: 'billing' });
    for (let i = 0; i < 3; i++) expect(await app.run('sync')).toMatchObject({ status: 'failed' });
    const settled = await app.settled();
    expect(settled.channels['mail']).toMatchObject({ type: 'email', sent: 1, failed: 0, dropped: 0 });
    expect(settled.suppressed).toBe(2);
    expect(smtp.messages).toHaveLength(1);
    expect(smtp.messages[0]).toMatchObject({ rcptTo: ['ops@example.com'], subject: '[billing] work:sync failed', user: 'xcore' });
    expect(smtp.messages[0]!.text).toMatch(/^job work:sync failed \(2 attempts\): database unreachable/);

    await app.succeed(true);
    expect(await app.run('sync')).toMatchObject({ status: 'succeeded' });
    const [, recovery] = await smtp.waitFor(2);
    expect(recovery!.subject).toBe('[billing] work:sync recovered');
    expect(recovery!.text).toMatch(/^job work:sync recovered after 3 failures in a row, 2 failures since the last message/);
    expect((await app.settled()).channels['mail']).toMatchObject({ sent: 2, failed: 0 });
  });

  it('retries a 503 and then delivers; a 400 is not retried and is counted as failed', async () => {
    const hook = await receiver((n) => (n === 1 ? { status: 503 } : n === 2 ? { status: 200 } : { status: 400, body: 'bad payload' }));
    const app = await boot({ notify: webhookConfig(hook.url, '      rules:\n        - window: 0\n') });
    await app.run('sync');
    expect((await app.settled()).channels['hook']).toMatchObject({ sent: 1, retries: 1, failed: 0 });
    await app.run('sync');
    const status = await app.settled();
    expect(status.channels['hook']).toMatchObject({ sent: 1, retries: 1, failed: 1, lastError: expect.stringContaining('HTTP 400 Bad Request') });
    expect(hook.requests).toHaveLength(3);
    const logged = app.lines.filter((l) => l['code'] === 'XCORE_ERR_NOTIFY_DELIVERY_FAILED');
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ level: 40, channel: 'hook', job: 'work:sync', attempts: 1, msg: expect.stringContaining(': bad payload. Check the receiver') });
    expect(logged[0]).not.toHaveProperty('err');
  });

  it('a receiver that hangs or is down never holds or breaks a run; each failure is logged once and counted, and health is told', async () => {
    const hook = await receiver(() => 'hang');
    const app = await boot({ notify: webhookConfig(hook.url, '      rules:\n        - window: 0\n', '          timeout: 1m\n          retries: 1\n'), health: true, hookTimeout: '1s' });
    const runs = [await app.run('sync'), await app.run('fine'), await app.run('sync')];
    expect(runs.map((r) => r.status)).toEqual(['failed', 'succeeded', 'failed']);
    // Every run finished while the receiver still holds the first message (it never answers).
    await hook.waitFor(1);
    expect((await app.status()).channels['hook']).toMatchObject({ inFlight: 1, queued: 1, sent: 0, failed: 0 });

    await hook.close();
    const status = await app.settled();
    expect(status.channels['hook']).toMatchObject({ sent: 0, failed: 2, lastError: expect.stringMatching(/^Notify channel "hook" gave a message up after 2 attempts: .*ECONNREFUSED/) });
    const logged = app.lines.filter((l) => l['code'] === 'XCORE_ERR_NOTIFY_DELIVERY_FAILED');
    expect(logged.map((l) => [l['level'], l['job'], l['attempts']])).toEqual([
      [40, 'work:sync', 2],
      [40, 'work:sync', 2],
    ]);
    expect(logged.every((l) => l['err'] === undefined && l['stack'] === undefined)).toBe(true);
    const health = await app.kernel.call<{ checks: { check: string; status: string; detail?: string }[] }>('health', 'status');
    expect(health.checks.find((c) => c.check === 'notify')).toMatchObject({ status: 'warn', detail: expect.stringContaining('hook: Notify channel "hook" gave a message up') });
    expect(await app.run('fine')).toMatchObject({ status: 'succeeded' });
  });

  it('a receiver that does not answer within the timeout is retried, then counted as failed', async () => {
    const hook = await receiver(() => 'hang');
    const app = await boot({ notify: webhookConfig(hook.url, '', '          timeout: 200ms\n          retries: 1\n') });
    await app.run('sync');
    await hook.waitFor(2);
    expect((await app.settled()).channels['hook']).toMatchObject({ sent: 0, failed: 1, retries: 1, lastError: expect.stringMatching(/after 2 attempts: no answer from http:\/\/127\.0\.0\.1:\d+ within 200 ms\. /) });
  });

  it('drops and counts messages past queueSize instead of holding runs', async () => {
    const hook = await receiver(() => 'hang');
    const app = await boot({ notify: `${webhookConfig(hook.url, '      rules:\n        - window: 0\n', '          timeout: 1m\n')}      queueSize: 2\n`, hookTimeout: '1s' });
    for (let i = 0; i < 5; i++) expect(await app.run('sync')).toMatchObject({ status: 'failed' });
    await hook.waitFor(1);
    expect((await app.status()).channels['hook']).toMatchObject({ inFlight: 1, queued: 2, dropped: 2, lastError: expect.stringContaining('queueSize') });
    expect(app.lines.filter((l) => l['code'] === 'XCORE_ERR_NOTIFY_QUEUE_FULL')).toHaveLength(1);
  });

  it('on stop, delivers what is queued; what cannot go out within the hook timeout is given up and logged', async () => {
    const slow = await receiver(() => ({ status: 200, delayMs: 300 }));
    const app = await boot({ notify: webhookConfig(slow.url, '      rules:\n        - window: 0\n') });
    await app.run('sync');
    await app.run('sync');
    await app.kernel.stop();
    expect(slow.requests).toHaveLength(2);
    expect(app.lines.some((l) => typeof l['msg'] === 'string' && l['msg'].includes('not delivered'))).toBe(false);

    const stuck = await receiver(() => 'hang');
    const app2 = await boot({ notify: webhookConfig(stuck.url, '      rules:\n        - window: 0\n', '          timeout: 1m\n'), hookTimeout: '1s' });
    await app2.run('sync');
    await app2.run('sync');
    // The receiver never answers and the timeout is a minute: stop gives up at 80% of the 1 s hook timeout.
    const report = await app2.kernel.stop();
    expect(report).toMatchObject({ timedOut: false, failed: [] });
    expect(app2.lines.find((l) => l['givenUp'] !== undefined)).toMatchObject({ level: 40, givenUp: { hook: 2 }, msg: 'notify stopped with 2 message(s) not delivered within 800 ms' });
  });

  it('answers status and sends a test message on request', async () => {
    const hook = await receiver();
    const app = await boot({ notify: webhookConfig(hook.url) });
    await expect(app.kernel.call('notify', 'test', { channel: 'hook' })).resolves.toEqual({ hook: { ok: true } });
    const [test] = await hook.waitFor(1);
    expect(test!.json).toMatchObject({ event: 'test', jobId: 'notify:test', app: 'notify-test' });
    expect(test!.signatureValid).toBe(true);
    await expect(app.kernel.call('notify', 'test', { channel: 'pager' })).rejects.toMatchObject({ code: 'XCORE_ERR_NOTIFY_PAYLOAD_INVALID', message: expect.stringContaining('no channel "pager"; channels: hook') });
    await expect(app.kernel.call('notify', 'test', 42)).rejects.toMatchObject({ code: 'XCORE_ERR_NOTIFY_PAYLOAD_INVALID' });
    expect(await app.status()).toEqual({
      channels: { hook: { type: 'webhook', queued: 0, inFlight: 0, sent: 0, failed: 0, dropped: 0, retries: 0, lastSentAt: null, lastFailureAt: null, lastError: null } },
      rules: [{ name: 'rule-1', failingJobs: 0, unreported: 0 }],
      suppressed: 0,
      errors: 0,
    });
  });

  it('a rule naming an unknown channel fails the plugin with the line in xcore.yaml', async () => {
    await expect(bootNotifyApp({ notify: webhookConfig('http://127.0.0.1:9/', '      rules:\n        - channels: [pager]\n'), env: { HOOK_SECRET: SECRET } })).rejects.toMatchObject({
      message: expect.stringMatching(/xcore\.yaml:17:22 {2}plugins\.config\.notify\.rules\[0\]\.channels\[0\]: expected one of the channels: hook, found "pager"/),
    });
  });
});
