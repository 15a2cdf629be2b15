/**
 * `plugins.config.notify` as the kernel validates it: defaults, secrets from the environment,
 * and each problem reported at its line in xcore.yaml.
 */
import { describe, expect, it } from 'vitest';
import { ConfigInvalidError, parseConfigText, validateSection } from '@xcore/core';
import { notifyConfigSchema } from './config.js';

const FILE = '/app/xcore.yaml';

/** Validates `notifyYaml` (indented under `plugins.config.notify`) as the kernel does. */
function validate(notifyYaml: string, env: Record<string, string> = {}) {
  const text = `plugins:\n  config:\n    notify:\n${notifyYaml}`;
  const loaded = parseConfigText(text, FILE, { env, prettyDefault: false });
  return validateSection(loaded, ['plugins', 'config', 'notify'], notifyConfigSchema);
}

/** The `file:line:col  message` lines of the error `validate` throws. */
function problems(notifyYaml: string): string[] {
  try {
    validate(notifyYaml);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigInvalidError);
    return (error as ConfigInvalidError).issues.map((i) => `${i.line}:${i.col} ${i.message}`);
  }
  throw new Error('expected the config to be refused');
}

const HOOK = '      channels:\n        ops:\n          type: webhook\n          url: https://hooks.example.com/xcore\n          secret: ${SECRET}\n';

describe('notify config', () => {
  it('applies defaults, and takes the secret from the environment', () => {
    const config = validate(HOOK, { SECRET: 'from-the-environment-1234' });
    expect(config).toEqual({
      channels: {
        ops: {
          type: 'webhook', url: 'https://hooks.example.com/xcore', secret: 'from-the-environment-1234', headers: {},
          timeout: 10_000, retries: 3, backoff: 1_000, maxBackoff: 60_000,
        },
      },
      rules: [{ jobs: ['*'], outcomes: ['failed', 'timed_out'], window: 3_600_000, recovery: true }],
      queueSize: 1_000,
      concurrency: 1,
    });
  });

  it('reads an e-mail channel with durations and the default subject and port', () => {
    const config = validate(
      '      channels:\n        mail:\n          type: email\n          smtp: { host: smtp.example.com, secure: true, auth: { user: xcore, pass: pw } }\n' +
        '          from: xcore@example.com\n          to: [ops@example.com, "On call <oncall@example.com>"]\n          timeout: 5s\n',
    );
    expect(config.channels['mail']).toMatchObject({ type: 'email', smtp: { host: 'smtp.example.com', secure: true, requireTLS: false }, subject: '[{app}] {jobId} {status}', timeout: 5_000 });
  });

  it('points at a rule naming an unknown channel, listing the channels', () => {
    expect(problems(`${HOOK.replace('${SECRET}', 'a-secret-of-16-chars!')}      rules:\n        - jobs: ["orders:*"]\n          channels: [ops, pager]\n`)).toEqual([
      '11:27 plugins.config.notify.rules[0].channels[1]: expected one of the channels: ops, found "pager"',
    ]);
  });

  it('says what is missing when notify has no channels, or the section is absent', () => {
    expect(problems('      rules: []\n')).toEqual(['3:5 plugins.config.notify.channels: notify needs at least one channel: add channels: { <name>: { type: webhook, url, secret } } or an email channel']);
    expect(() => validateSection(parseConfigText('plugins: {}\n', FILE, { env: {} }), ['plugins', 'config', 'notify'], notifyConfigSchema)).toThrow(/notify needs at least one channel/);
  });

  it('reports every problem of a channel at its line: URL, short secret, reserved header, unknown key, bad address, unknown placeholder', () => {
    const yaml =
      '      channels:\n' +
      '        hook:\n' +
      '          type: webhook\n' +
      '          url: ftp://example.com\n' +
      '          secret: short\n' +
      '          headers: { X-Xcore-Signature: forged }\n' +
      '          retrys: 2\n' +
      '        mail:\n' +
      '          type: email\n' +
      '          smtp: { host: localhost }\n' +
      '          from: not-an-address\n' +
      '          to: []\n' +
      '          subject: "{app} {job}"\n' +
      '          window: 1h\n';
    const lines = problems(yaml);
    expect(lines).toEqual([
      '7:16 plugins.config.notify.channels.hook.url: expected an http:// or https:// URL, found "ftp://example.com"',
      '8:19 plugins.config.notify.channels.hook.secret: expected a secret of at least 16 characters, found 5; give it from the environment, as ${NOTIFY_WEBHOOK_SECRET}',
      '9:41 plugins.config.notify.channels.hook.headers.X-Xcore-Signature: expected a header xcore does not set itself, found "X-Xcore-Signature"',
      expect.stringMatching(/^10:11 plugins\.config\.notify\.channels\.hook\.retrys: .*found unknown key "retrys" \(did you mean "retries"\?\)$/),
      '14:17 plugins.config.notify.channels.mail.from: expected an e-mail address like ops@example.com or "Ops <ops@example.com>", found "not-an-address"',
      '15:15 plugins.config.notify.channels.mail.to: expected a list of at least 1 item(s), found a list of 0 item(s)',
      '16:20 plugins.config.notify.channels.mail.subject: expected placeholders among {app}, {host}, {jobId}, {owner}, {outcome}, {status}, {event}, {rule}, found "{app} {job}"',
      expect.stringMatching(/^17:11 plugins\.config\.notify\.channels\.mail\.window: .*found unknown key "window"$/),
    ]);
  });

  it('refuses credentials in the webhook URL without quoting them, and a header value with a line break', () => {
    const lines = problems(
      '      channels:\n        hook:\n          type: webhook\n          url: https://user:hunter2@hooks.example.com/\n' +
        '          secret: a-secret-of-16-chars!\n          headers: { X-Team: "ops\\r\\nX-Evil: 1" }\n',
    );
    expect(lines).toEqual([
      '7:16 plugins.config.notify.channels.hook.url: expected a URL without user:password@ (send credentials in headers, e.g. Authorization)',
      expect.stringMatching(/^9:30 plugins\.config\.notify\.channels\.hook\.headers\.X-Team: expected a header value on one line/),
    ]);
    expect(lines.join('\n')).not.toContain('hunter2');
  });

  it('refuses an unknown outcome and an empty job list in a rule', () => {
    const lines = problems(`${HOOK.replace('${SECRET}', 'a-secret-of-16-chars!')}      rules:\n        - jobs: []\n          outcomes: [failed, crashed]\n`);
    expect(lines).toEqual([
      '10:17 plugins.config.notify.rules[0].jobs: expected a list of at least 1 item(s), found a list of 0 item(s)',
      '11:30 plugins.config.notify.rules[0].outcomes[1]: expected one of "failed", "timed_out", "aborted", "missed", "skipped", found "crashed"',
    ]);
  });
});
