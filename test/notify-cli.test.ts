/**
 * The shipped `notify` plugin through the real `xcore start`: a YAML job that fails sends one
 * signed webhook per failure window to a local receiver, and the app stops cleanly.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { startWebhookReceiver, type WebhookReceiver } from '../plugins/notify/src/webhook-receiver.fixtures.js';
import { runXcore, type XcoreProcess } from './helpers/cli-process.js';

const pluginsDir = fileURLToPath(new URL('../plugins', import.meta.url));
const SECRET = 'cli-test-secret-0123456789';
let app: XcoreProcess | undefined;
let hook: WebhookReceiver | undefined;
let dir: string | undefined;

afterEach(async () => {
  app?.child.kill('SIGKILL');
  await hook?.close();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  app = hook = dir = undefined;
});

describe('xcore start with notify', () => {
  it('a failing YAML job sends one signed webhook per window, and the app stops cleanly', async () => {
    hook = await startWebhookReceiver(SECRET);
    dir = mkdtempSync(join(tmpdir(), 'xcore-notify-cli-'));
    writeFileSync(join(dir, 'jobs.ts'), `export function nightly(): void {\n  throw new Error('disk full');\n}\n`);
    writeFileSync(
      join(dir, 'xcore.yaml'),
      `app:\n  name: cli-notify\nlogging:\n  level: info\n  pretty: false\n` +
        `plugins:\n  directory: ${JSON.stringify(pluginsDir)}\n  enabled: [notify]\n  failFast: true\n  config:\n    notify:\n` +
        `      channels:\n        ops:\n          type: webhook\n          url: ${hook.url}\n          secret: \${NOTIFY_SECRET}\n` +
        `      rules:\n        - owners: [config]\n          window: 1h\n` +
        `services:\n  scheduler:\n    jobs:\n      - id: nightly\n        func: ./jobs.ts:nightly\n        trigger: { type: interval, milliseconds: 300 }\n        retries: 1\n        retryDelay: 10ms\n`,
    );
    app = runXcore(['start', '-c', join(dir, 'xcore.yaml')], { cwd: dir, env: { NOTIFY_SECRET: SECRET } });
    await app.waitFor((l) => l['msg'] === 'notify ready');
    const [message] = await hook.waitFor(1);
    expect(message!.signatureValid).toBe(true);
    expect(message!.json).toMatchObject({
      event: 'failure', app: 'cli-notify', jobId: 'nightly', owner: 'config', outcome: 'failed', attempts: 2, error: 'disk full',
      counts: { sinceLastMessage: 1, consecutive: 1 },
    });
    // Later failures fall in the 1 h window: counted by the runs' own log lines, and no second message.
    await app.waitFor((l) => l['msg'] === 'job failed' && app!.lines.filter((x) => x['msg'] === 'job failed').length >= 3);
    app.child.kill('SIGTERM');
    expect(await app.exited).toBe(0);
    expect(hook.requests).toHaveLength(1);
    expect(app.lines.some((l) => l['level'] === 50)).toBe(false);
  });
});
